/*
 * descriptors — opening files on numbers >= 3 (see descriptors.h for why).
 *
 * open(2) always returns the lowest free number, and there is no flag to ask for a higher one.
 * Opening and then moving the descriptor (F_DUPFD_CLOEXEC) would leave it on the low number
 * for a moment, and a program thread writing to stderr at that moment would write into our
 * file. So before opening we fill the free standard numbers with "plugs": O_PATH descriptors,
 * on which read and write fail with EBADF exactly as on a closed number. Our file then lands
 * on 3 or above, and the plugs are closed again. (What a program can still see in that
 * window: fcntl(F_GETFD) on the number succeeds, and its own open would get a higher number.)
 * In the common case, nothing closed, this costs one extra open and close per file, and we
 * open a handful of files per profile.
 */
#include "descriptors.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int libleak_fd_high(int fd)
{
    if (fd < 0 || fd > 2)
        return fd;
    int saved_errno = errno;
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    errno = saved_errno;
    return high;
}

int libleak_open_high(const char *path, int flags, mode_t mode)
{
    int saved_errno = errno;
    int plugs[3];
    int plug_count = 0;
    while (plug_count < 3) {
        int plug = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (plug < 0)
            break; /* out of descriptors: the move below still keeps us off 0-2 */
        if (plug > 2) {
            close(plug);
            break;
        }
        plugs[plug_count++] = plug;
    }
    int fd = open(path, flags | O_CLOEXEC, mode);
    int open_errno = errno;
    fd = libleak_fd_high(fd);
    for (int i = 0; i < plug_count; i++)
        close(plugs[i]);
    errno = fd < 0 ? open_errno : saved_errno;
    return fd;
}
