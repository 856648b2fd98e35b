/*
 * descriptors — every file libleak opens for itself (profiles, /proc, ELF and debug files)
 * gets a descriptor number of 3 or more, never 0, 1 or 2.
 *
 * The program owns the standard numbers even when it closed them: with stderr closed
 * (2>&-), a profile opened on number 2 would receive the program's writes to stderr, which
 * must fail with EBADF instead. Every open in libleak goes through here.
 */
#ifndef LIBLEAK_DESCRIPTORS_H
#define LIBLEAK_DESCRIPTORS_H
#include <sys/types.h>

/* open(2) with O_CLOEXEC added, on a number >= 3. Returns the descriptor, or -1 with errno
   set by open. Leaves errno unchanged on success. */
int libleak_open_high(const char *path, int flags, mode_t mode);

/* For descriptors opened by code we do not control (libdw's callbacks): returns fd when it is
   >= 3 or negative; otherwise moves it to a close-on-exec number >= 3 and returns that (-1
   when it cannot be moved: fd is then closed). */
int libleak_fd_high(int fd);

#endif
