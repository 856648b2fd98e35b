/*
 * descriptors — every file libleak opens for itself (profiles, /proc, ELF and debug files)
 * gets a descriptor number of 3 or more, never 0, 1 or 2.
 *
 * The program owns the standard numbers even when it closed them: with stderr closed
 * (2>&-), a profile opened on number 2 would receive the program's writes to stderr, which
 * must fail with EBADF instead. Every open in libleak goes through here, and a dump keeps the
 * free standard numbers plugged while it runs, for the files that libdw and glibc open in it.
 */
#ifndef LIBLEAK_DESCRIPTORS_H
#define LIBLEAK_DESCRIPTORS_H
#include <sys/types.h>

/* The standard numbers (0-2) that were free, held by O_PATH descriptors of "/". */
struct libleak_plugs {
    int count;
    int numbers[3];
    dev_t device[3];
    ino_t inode[3];
};

/* Fills the free standard numbers with plugs, on which read and write fail with EBADF as on a
   closed number; files opened meanwhile, by us or by code we call, land on 3 or above. */
void libleak_plug_standard(struct libleak_plugs *plugs);

/* Closes the plugs that are still ours (the program may have dup2'ed onto the number). */
void libleak_unplug_standard(struct libleak_plugs *plugs);

/* open(2) with O_CLOEXEC added, on a number >= 3. Returns the descriptor, or -1 with errno
   set by open. Like the rest of this file, may change errno on success too. */
int libleak_open_high(const char *path, int flags, mode_t mode);

/* For descriptors opened by code we do not control (libdw's callbacks): returns fd when it is
   >= 3 or negative; otherwise moves it to a close-on-exec number >= 3 and returns that (-1
   when it cannot be moved: fd is then closed). */
int libleak_fd_high(int fd);

#endif
