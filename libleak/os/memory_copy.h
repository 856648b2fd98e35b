/*
 * memory_copy — copying memory that may not be mapped any more (a library dlclose'd while we
 * look, a frame pointer into nowhere) without faulting: process_vm_readv on our own pid, which
 * fails cleanly where a load would fault. For the dumper and the gate: a system call, so never
 * on the allocation path (alloc/ reads only memory it knows is mapped).
 */
#ifndef LIBLEAK_MEMORY_COPY_H
#define LIBLEAK_MEMORY_COPY_H

#include <stddef.h>
#include <stdint.h>

enum libleak_copy_result {
    LIBLEAK_COPY_DONE,       /* size bytes copied */
    LIBLEAK_COPY_UNREADABLE, /* some of [from, from + size) is not mapped readable */
    LIBLEAK_COPY_REFUSED,    /* the kernel refused the call itself (ENOSYS, EPERM: a seccomp
                                filter): nothing is known about the memory */
};

enum libleak_copy_result libleak_copy_memory(void *to, uintptr_t from, size_t size);

#endif
