/*
 * hostile_rbp: calls malloc from assembly code that keeps a hostile value in %rbp, as code
 * built without frame pointers may (an alignment mask, a counter, a heap pointer). The
 * frame-pointer walk must stop or fall back on every one of them, never fault.
 *   hostile_rbp   exits 0 when every call returned; prints "ok VALUES" on stdout.
 * The assembly has no unwind tables (no CFI), so libunwind, too, must fall back to the
 * frame chain and validate what it reads there.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "call_with_rbp.h"

int main(void)
{
    /* A fake frame record inside the stack: it passes the first bounds check, and then
       points at -16 with a return address that is no code at all. */
    volatile uintptr_t fake[4] = {(uintptr_t)-16, 0xdeadbeef, (uintptr_t)-8, 8};
    uintptr_t stack_top = 0;
    pthread_attr_t attributes;
    if (pthread_getattr_np(pthread_self(), &attributes) == 0) {
        void *low;
        size_t size;
        if (pthread_attr_getstack(&attributes, &low, &size) == 0)
            stack_top = (uintptr_t)low + size;
        pthread_attr_destroy(&attributes);
    }
    const uintptr_t values[] = {
            (uintptr_t)-16, (uintptr_t)-8, 0, 1, 0x5555deadbeef, (uintptr_t)-4096,
            (uintptr_t)&fake[0], (uintptr_t)&fake[0] + 4, stack_top - 8, stack_top - 16,
    };
    int count = (int)(sizeof values / sizeof values[0]);
    for (int i = 0; i < count; i++) {
        for (int round = 0; round < 20; round++) {
            /* 1 MiB blocks: sampled at the default rate too. */
            void *block = call_with_rbp(values[i], 1 << 20);
            if (!block)
                return 2;
            free(block);
            free(call_with_rbp(values[i], 24));
        }
    }
    printf("ok %d values\n", count);
    return 0;
}
