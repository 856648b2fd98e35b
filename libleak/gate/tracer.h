/*
 * tracer — stopping the program's threads with ptrace for the leak gate's scan, from a helper
 * process that shares our memory (LeakSanitizer's way). A thread stopped so is stopped whatever
 * its signal mask, the system call it sleeps in is restarted when it is let go (a sleep(60)
 * sees no EINTR), no signal is sent that the program could take with sigwait, and its
 * registers are read (a pointer held only in r15 is a root).
 *
 * A process cannot ptrace its own threads, so the helper is a process of its own: cloned with
 * CLONE_VM (it reads and writes our memory), never a thread of the program. Where the helper
 * cannot be made or cannot attach (ptrace forbidden by a seccomp filter or Yama, a debugger
 * already tracing the thread, no process slot left), the caller stops that thread with a
 * signal instead (stop_world.c).
 *
 * x86-64 only for now; elsewhere libleak_tracer_start returns false and signals are used.
 */
#ifndef LIBLEAK_TRACER_H
#define LIBLEAK_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The general registers of a stopped thread, in the kernel's order (user_regs_struct). */
#define LIBLEAK_REGISTER_WORDS 27

struct libleak_traced_thread {
    uintptr_t sp; /* the user stack pointer */
    uintptr_t tp; /* the thread pointer (fs base) */
    uintptr_t registers[LIBLEAK_REGISTER_WORDS];
};

enum libleak_trace_result {
    LIBLEAK_TRACE_STOPPED, /* stopped; *thread filled */
    LIBLEAK_TRACE_GONE,    /* the thread ended first */
    LIBLEAK_TRACE_REFUSED, /* ptrace was refused for it: stop it another way */
};

/* Starts the helper; false when it cannot (then every thread is stopped another way). */
bool libleak_tracer_start(void);

/* Stops one thread of this process and reads its registers. Only after a successful start. */
enum libleak_trace_result libleak_tracer_stop(pid_t tid, struct libleak_traced_thread *thread);

/* Lets every thread the helper stopped go on, and ends the helper (waits for it). */
void libleak_tracer_finish(void);

#endif
