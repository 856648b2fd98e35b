/*
 * memory_copy — see memory_copy.h.
 */
#include "os/memory_copy.h"

#include <errno.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

enum libleak_copy_result libleak_copy_memory(void *to, uintptr_t from, size_t size)
{
    struct iovec local = {to, size}, remote = {(void *)from, size};
    long copied = syscall(SYS_process_vm_readv, getpid(), &local, 1UL, &remote, 1UL, 0UL);
    if (copied == (long)size)
        return LIBLEAK_COPY_DONE;
    if (copied < 0 && (errno == ENOSYS || errno == EPERM))
        return LIBLEAK_COPY_REFUSED;
    return LIBLEAK_COPY_UNREADABLE;
}
