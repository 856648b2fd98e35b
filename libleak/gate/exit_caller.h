/*
 * exit_caller — where the program's part of the exiting thread's stack begins: the stack
 * pointer of exit()'s caller, found with libunwind.
 */
#ifndef LIBLEAK_EXIT_CALLER_H
#define LIBLEAK_EXIT_CALLER_H
#include <stdint.h>

/* The stack pointer of the frame that called exit() (or of libc's start-up code when main
   returned); fallback when it cannot be found, or lies below fallback. */
uintptr_t libleak_exit_caller_stack_pointer(uintptr_t fallback);

#endif
