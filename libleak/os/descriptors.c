/*
 * descriptors — keeping libleak's files out of the program's descriptor table (descriptors.h
 * says why).
 *
 * Tables of our own. A descriptor table is per task, shared by the threads that were created
 * with CLONE_FILES (all of them, under pthreads); a thread may unshare it. Our threads do,
 * with close_range(0, ~0, CLOSE_RANGE_UNSHARE): the kernel gives the thread a new table
 * holding none of the program's descriptors (none are even copied), so our thread keeps no
 * file of the program open (a pipe the program closes reaches EOF, as without us). From then
 * on every open in the thread, ours or libdw's or glibc's, takes a number in our table: the
 * program's next open() gets the number it would have got, a close_range of the program cannot
 * close our files, and a number it reuses is not ours to write. RLIMIT_NOFILE bounds each table
 * on its own, so under `ulimit -n 4` we do not take the program's last descriptor. The
 * exiting thread instead takes a copy of the table (close_range(~0, ~0, CLOSE_RANGE_UNSHARE)
 * copies every descriptor, as the only number it closes does not exist): stdio's flush and
 * the destructors that run on it after the exit profile still find every descriptor they had.
 * Closing our copies of the program's files neither drops the program's POSIX locks (their
 * owner is the program's table, not ours) nor closes its files.
 *
 * A table is not unshared when only one task uses it (the kernel's count is 1): then no other
 * thread can change it either. That is why a thread of ours that is the process's last thread
 * would close the program's descriptors: a dumper starts while the thread that created it runs.
 *
 * The program's table. libleak_dump() called by the program hands its dump to a thread of
 * ours started for the call (dump.c); only where no thread can be started does it run on the
 * program's thread, which must keep the program's table, as do the constructor and the
 * allocation path. There open(2)
 * returns the lowest free number and there is no flag to ask for a higher one: the free
 * standard numbers are filled with "plugs" (O_PATH descriptors of "/", on which read and
 * write fail with EBADF as on a closed number) while we open, and our file is moved to a number
 * >= 3. A dump on a program thread keeps the plugs for its whole length (libdw and glibc open
 * files in it). What a program can see meanwhile: its own open gets a higher number than it
 * would, fcntl(F_GETFD) on a plugged number succeeds. Before each write, link and close of
 * a profile we check (fstat) that the number still holds the file we opened. What remains:
 * between the check and the call, a thread of the program could close the number and open a
 * file of its own on it; and libdw closes the files it opened itself. Only a table of our own
 * closes those windows.
 *
 * errno is not kept here: the ways into libleak that the program sees keep it (hooks.c).
 */
#include "os/descriptors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

enum table { PROGRAM_TABLE, OWN_TABLE, COPIED_TABLE };
static __thread enum table thread_table __attribute__((tls_model("initial-exec")));
static __thread struct libleak_own_fd *open_own_files __attribute__((tls_model("initial-exec")));

bool libleak_descriptors_private(void)
{
    return thread_table != PROGRAM_TABLE;
}

bool libleak_descriptors_own_table(void)
{
    if (thread_table != PROGRAM_TABLE)
        return thread_table == OWN_TABLE;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 0u, ~0u, CLOSE_RANGE_UNSHARE) != 0)
        return false; /* before Linux 5.9, or a seccomp filter: the program's table it is */
    thread_table = OWN_TABLE;
    /* 0-2 plugged for good: something of ours writing to "stderr" fails with EBADF rather
       than write into a file of ours on 2. */
    for (int i = 0; i < 3; i++)
        if (open("/", O_PATH | O_DIRECTORY | O_CLOEXEC) < 0)
            break;
    return true;
#else
    return false;
#endif
}

bool libleak_descriptors_copy_table(void)
{
    if (thread_table != PROGRAM_TABLE)
        return true;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, ~0u, ~0u, CLOSE_RANGE_UNSHARE) != 0)
        return false;
    thread_table = COPIED_TABLE;
    return true;
#else
    return false;
#endif
}

int libleak_fd_high(int fd)
{
    if (fd < 0 || fd > 2)
        return fd;
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return high;
}

void libleak_plug_standard(struct libleak_plugs *plugs)
{
    plugs->count = 0;
    if (thread_table != PROGRAM_TABLE)
        return; /* the program cannot see our numbers */
    while (plugs->count < 3) {
        int plug = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (plug < 0)
            break; /* out of descriptors: libleak_fd_high still keeps our files off 0-2 */
        struct stat status;
        if (plug > 2 || fstat(plug, &status) != 0) {
            close(plug);
            break;
        }
        plugs->numbers[plugs->count] = plug;
        plugs->device[plugs->count] = status.st_dev;
        plugs->inode[plugs->count] = status.st_ino;
        plugs->count++;
    }
}

void libleak_unplug_standard(struct libleak_plugs *plugs)
{
    for (int i = 0; i < plugs->count; i++) {
        int n = plugs->numbers[i];
        struct stat status;
        int flags = fcntl(n, F_GETFL);
        if (flags >= 0 && (flags & O_PATH) && fstat(n, &status) == 0 && status.st_dev == plugs->device[i] &&
            status.st_ino == plugs->inode[i])
            close(n);
    }
    plugs->count = 0;
}

int libleak_open_high(const char *path, int flags, mode_t mode)
{
    struct libleak_plugs plugs;
    libleak_plug_standard(&plugs);
    int fd = open(path, flags | O_CLOEXEC, mode);
    int open_errno = errno; /* why it failed, for the caller: unplugging may set errno again */
    fd = libleak_fd_high(fd);
    libleak_unplug_standard(&plugs);
    if (fd < 0)
        errno = open_errno;
    return fd;
}

int libleak_own_fd_open(struct libleak_own_fd *file, const char *path, int flags, mode_t mode)
{
    file->fd = libleak_open_high(path, flags, mode);
    struct stat status;
    if (file->fd >= 0 && fstat(file->fd, &status) != 0) {
        int error = errno;
        close(file->fd); /* fstat of a number we have just opened cannot fail but for EOVERFLOW */
        file->fd = -1;
        errno = error;
    }
    if (file->fd >= 0) {
        file->device = status.st_dev;
        file->inode = status.st_ino;
        file->next = open_own_files;
        open_own_files = file;
    }
    return file->fd;
}

bool libleak_own_fd_check(const struct libleak_own_fd *file)
{
    struct stat status;
    if (file->fd >= 0 && fstat(file->fd, &status) == 0 && status.st_dev == file->device &&
        status.st_ino == file->inode)
        return true;
    errno = EBADF;
    return false;
}

int libleak_own_fd_close(struct libleak_own_fd *file)
{
    for (struct libleak_own_fd **link = &open_own_files; *link; link = &(*link)->next)
        if (*link == file) {
            *link = file->next;
            break;
        }
    int result = libleak_own_fd_check(file) ? close(file->fd) : -1;
    file->fd = -1;
    return result;
}

ssize_t libleak_write_checked(int fd, const void *data, size_t length)
{
    for (const struct libleak_own_fd *file = open_own_files; file; file = file->next)
        if (file->fd == fd && !libleak_own_fd_check(file))
            return -1;
    return write(fd, data, length);
}

void libleak_own_fd_proc_path(const struct libleak_own_fd *file, char *buffer, size_t size)
{
    snprintf(buffer, size, "/proc/thread-self/fd/%d", file->fd);
}

int libleak_program_descriptor(int number)
{
    if (thread_table != OWN_TABLE)
        return number;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
    /* Our table holds none of the program's files: take a duplicate of the program's
       descriptor from the table of the process's first thread (Linux 5.6). */
    int process = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (process < 0)
        return -1;
    int fd = (int)syscall(SYS_pidfd_getfd, process, number, 0);
    close(process);
    return fd;
#else
    return -1;
#endif
}

void libleak_program_descriptor_done(int number, int fd)
{
    if (fd >= 0 && fd != number)
        close(fd);
}
