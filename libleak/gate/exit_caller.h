/*
 * exit_caller — where the program's part of the exiting thread begins: the stack pointer of
 * exit()'s caller, and the callee-saved registers as they were in that frame, found with
 * libunwind.
 */
#ifndef LIBLEAK_EXIT_CALLER_H
#define LIBLEAK_EXIT_CALLER_H
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#define LIBLEAK_EXIT_CALLER_REGISTERS 8

struct libleak_exit_caller {
    uintptr_t sp;
    /* The callee-saved registers in the caller's frame: a pointer the caller kept in one
       across its call to exit() was saved by the exit machinery's frames below sp, which
       are not scanned. */
    uintptr_t registers[LIBLEAK_EXIT_CALLER_REGISTERS];
    size_t register_count;
};

/* The frame that called exit() (or libc's start-up code when main returned), found by
   unwinding from `from`, registers taken with getcontext() inside the exit machinery on the
   exiting thread's own stack. The walk itself may run on another stack (the library's: it
   goes deep in libunwind, and the thread may be on an 8 KiB alternate signal stack). When the
   caller cannot be found, or lies below fallback: sp = fallback and no registers. */
void libleak_exit_caller_find(const ucontext_t *from, uintptr_t fallback, struct libleak_exit_caller *caller);

#endif
