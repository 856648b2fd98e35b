/*
 * thread_stack — the calling thread's stack bounds without a system call: learned at load time
 * for the main thread, read from glibc's thread descriptor for the others.
 */
#ifndef LIBLEAK_THREAD_STACK_H
#define LIBLEAK_THREAD_STACK_H
#include <stdbool.h>
#include <stdint.h>

/* Reads what needs system calls (/proc/self/maps, RLIMIT_STACK) and finds the stack block in
   glibc's thread descriptor; called once by the constructor, on the main thread. */
void libleak_thread_stack_init(void);

/* The calling thread's stack [*low, *high), when the caller runs on it and it is known; false
   otherwise (an alternate signal stack, a coroutine's, a thread glibc did not make). No system
   call, no lock, no allocation. */
bool libleak_thread_stack_find(uintptr_t *low, uintptr_t *high);

#endif
