/*
 * descriptors — libleak's files never touch the program's descriptors.
 *
 * The program owns its descriptor table: every number, the standard ones even when it closed
 * them, and the lowest free one, which its next open() must get. It may close_range(3, ~0) at
 * any moment and reopen a number we hold; it may close(0) and expect open() to return 0; it
 * may run under `ulimit -n 4`. So libleak's own threads work in a descriptor table of their
 * own (libleak_descriptors_own_table): nothing we open there has a number in the program's
 * table, and nothing the program does to its table reaches ours. The exit profile, written on
 * the exiting thread, works in a private copy of the table (libleak_descriptors_copy_table).
 *
 * Where a table of our own cannot be had (libleak_dump() on a program thread that could not
 * start a thread of ours for it, or a kernel or seccomp filter that refuses the calls), files go on numbers >= 3 only (the free
 * standard numbers are plugged while we open), and a descriptor we write, link or close is
 * first checked to be still ours (struct libleak_own_fd). descriptors.c says what remains.
 */
#ifndef LIBLEAK_DESCRIPTORS_H
#define LIBLEAK_DESCRIPTORS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* For a thread of libleak's own, at its start: from now on the thread has a descriptor table
   of its own, empty but for plugs on 0-2 (so that a stray write to a standard number fails
   with EBADF). False (and nothing changed) when the kernel refuses. */
bool libleak_descriptors_own_table(void);

/* For the exiting thread, before the exit profile: from now on the thread works on a private
   copy of the program's table. The program's code that still runs on this thread (stdio's
   flush, later destructors) finds every descriptor it had; what the program's other threads
   close, open or reuse no longer reaches our files. Never for a thread that returns to the
   program's code. False (nothing changed) when the kernel refuses. */
bool libleak_descriptors_copy_table(void);

/* True when the calling thread works on a table of ours (own or copy). */
bool libleak_descriptors_private(void);

/* The standard numbers (0-2) that were free, held by O_PATH descriptors of "/". */
struct libleak_plugs {
    int count;
    int numbers[3];
    dev_t device[3];
    ino_t inode[3];
};

/* In the program's table: fills the free standard numbers with plugs, on which read and write
   fail with EBADF as on a closed number; files opened meanwhile, by us or by code we call,
   land on 3 or above. In a table of ours: nothing to do (count 0). */
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

/* A descriptor of ours with the identity of its file, recorded at open: before each write,
   link or close, libleak_own_fd_check tells whether the number still holds that file. */
struct libleak_own_fd {
    int fd;
    dev_t device;
    ino_t inode;
    struct libleak_own_fd *next; /* the calling thread's open ones, for libleak_write_checked */
};

/* libleak_open_high, and the file's identity recorded. Returns the descriptor or -1. Until
   libleak_own_fd_close, *file must stay where it is (the thread's list points to it). */
int libleak_own_fd_open(struct libleak_own_fd *file, const char *path, int flags, mode_t mode);

/* True while file->fd is still the file we opened. False, with errno EBADF, once the
   program has closed the number (and perhaps reused it for a file of its own). */
bool libleak_own_fd_check(const struct libleak_own_fd *file);

/* Closes file->fd if it is still ours; otherwise leaves the number alone (it is the
   program's now) and fails with EBADF. fd becomes -1 either way. */
int libleak_own_fd_close(struct libleak_own_fd *file);

/* write(2) for code that knows only a number (the gzip writer): when fd is an open
   libleak_own_fd of this thread, the write happens only while it is still ours (EBADF
   otherwise); any other number is written as given. */
ssize_t libleak_write_checked(int fd, const void *data, size_t length);

/* A path that names the open file file->fd (for linkat): /proc/thread-self/fd/N, which is
   this thread's table, not the main thread's as /proc/self/fd/N would be. */
void libleak_own_fd_proc_path(const struct libleak_own_fd *file, char *buffer, size_t size);

/* A descriptor on which the program's fd `number` can be written from this thread: `number`
   itself in the program's table or a copy of it, or (in a table of our own) a duplicate taken
   from the program's table with pidfd_getfd, which the caller closes with
   libleak_program_descriptor_done. -1 when the program has no such descriptor or it cannot be
   reached. */
int libleak_program_descriptor(int number);
void libleak_program_descriptor_done(int number, int fd);

#endif
