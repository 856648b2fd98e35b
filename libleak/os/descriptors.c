/*
 * descriptors — opening files on numbers >= 3 (see descriptors.h for why).
 *
 * open(2) always returns the lowest free number, and there is no flag to ask for a higher one.
 * Opening and then moving the descriptor (F_DUPFD_CLOEXEC) would leave it on the low number
 * for a moment, and a program thread writing to stderr at that moment would write into our
 * file. So before opening we fill the free standard numbers with "plugs": O_PATH descriptors,
 * on which read and write fail with EBADF exactly as on a closed number. Our file then lands
 * on 3 or above, and the plugs are closed again. (What a program can still see meanwhile:
 * fcntl(F_GETFD) on the number succeeds, and its own open gets a higher number.) In the common
 * case, nothing closed, this costs one extra open and close.
 *
 * A dump plugs the standard numbers for its whole length (libleak_plug_standard), because
 * code we do not control opens files in it: libdw looking for debug files, and glibc's
 * allocator reading /proc/sys/vm/overcommit_memory the first time it shrinks a thread's heap
 * (a dump frees a lot). A plug is closed only while it is still ours: a program that dup2'ed
 * its own file onto that number meanwhile keeps it.
 *
 * errno is not kept here: the ways into libleak that the program sees keep it (hooks.c).
 */
#include "os/descriptors.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
