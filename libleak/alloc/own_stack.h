/*
 * own_stack — running libleak's heavy work (a dump: naming with libdw, compressing, path
 * buffers; the gate's report) on a stack the library maps, on the calling thread, so that the
 * program's stack size is never ours to use up. A thread with a 16 KiB stack may call exit(),
 * and a shell may run `ulimit -s 160`: libdw alone takes ~150 KB of stack to read a module's
 * line table.
 *
 * One stack is reserved at start, while the address space has room (RLIMIT_AS counts a
 * mapping whether or not it is touched); a second user at the same moment gets a stack mapped
 * for the call, and when even that fails the work runs where it is.
 */
#ifndef LIBLEAK_OWN_STACK_H
#define LIBLEAK_OWN_STACK_H
#include <stdbool.h>
#include <stddef.h>

/* The usable size of the stack (a guard page lies below it). libdw's line tables take ~150 KB,
   a program's signal handler may run on it too, and untouched pages cost no memory. */
#define LIBLEAK_OWN_STACK_SIZE (1024 * 1024)

/* Calls function(argument) with %rsp at stack_top (16-byte aligned). The frame pushed on the
   caller's stack is an ordinary frame-pointer frame, in its CFI too, so that both unwinders
   continue from the other stack into the caller's frames. Also unwind.c's, for libunwind's
   alternate stacks. */
void libleak_call_on_stack(void (*function)(void *), void *argument, void *stack_top);

/* Maps the stack now. Returns false when the budget or the kernel says no (work then runs on
   a stack mapped for it, or where it is). */
bool libleak_own_stack_reserve(void);

/* Calls work(context) on the library's stack; directly when this thread is on it already. */
void libleak_on_own_stack(void (*work)(void *context), void *context);

/* In a fork child: the stack is free again unless this very thread is running on it. */
void libleak_own_stack_after_fork_in_child(void);

/* The deepest use of the reserved stack so far, in bytes (for tests and benchmarks). */
size_t libleak_own_stack_used(void);

#endif
