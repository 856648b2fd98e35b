/*
 * stop_world — stopping every other thread of the program for the scan, and resuming them:
 * with ptrace from a helper process where the system allows it (tracer.h: any signal mask,
 * no EINTR, registers read), else each gets the stop signal (LIBLEAK_STOP_SIGNAL, default
 * SIGPWR; the program's own use of it is suspended during the scan), whose handler publishes
 * its stack and thread pointers and waits; a thread that blocks the signal while it sleeps in a
 * system call is then scanned from the stack pointer the kernel reports instead. libleak's
 * own threads are listed, not stopped.
 */
#ifndef LIBLEAK_STOP_WORLD_H
#define LIBLEAK_STOP_WORLD_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gate/tracer.h"

enum slot_state { SLOT_SIGNALLED = 1, SLOT_STOPPED, SLOT_LEFT, SLOT_SLEEPING, SLOT_GONE, SLOT_UNSCANNED, SLOT_TRACED };

struct thread_slot {
    _Atomic pid_t tid;
    _Atomic int state;
    uintptr_t sp;
    uintptr_t tp;
    int64_t blocked_since; /* wait_for_stops only: when it was first seen blocking the signal */
    bool given_up;         /* wait_for_stops only: it keeps the signal blocked; not waited for */
    uint64_t switches;     /* SLOT_SLEEPING: its context switches when it was found asleep */
    struct libleak_traced_thread traced; /* SLOT_TRACED: stopped by tracer.c, registers read */
};

#define MAX_THREADS 32768
/* libleak's own threads (not stopped): their stacks are no roots */
#define MAX_OWN_THREADS 16

/* Stops every other thread of the program; false when there was no memory to (nothing was
   stopped, and libleak_resume_world must not be called). */
bool libleak_stop_world(void);

/* Resumes the threads, and puts the program's disposition of the stop signal back once every
   handler has left. */
void libleak_resume_world(void);

/* The threads libleak_stop_world found, with their states; the array lies in memory of ours
   (*bytes long), which is no root. */
struct thread_slot *libleak_world_threads(size_t *count, size_t *bytes);

/* libleak's own threads, found meanwhile. */
size_t libleak_world_own_threads(const pid_t **tids);

/* True when the world stayed as stopped: every thread found asleep with the signal blocked
   slept throughout (its context switches did not change), and no thread appeared since. A
   sleeper may wake at any time (a lock it waits on is released) and then run, allocate and
   start threads during the scan; the scan is then redone (reach.c). */
bool libleak_world_held(void);

/* True when some thread of the program may run during the scan (asleep with the signal
   blocked, or signalled and not stopped): it may unmap what the scan reads. */
bool libleak_world_may_run(void);

/* The stack pointer /proc reports for a thread that sleeps in a system call; 0 otherwise. */
uintptr_t libleak_sleeping_stack_pointer(pid_t tid);

/* Where a libleak thread's stack is (waits up to 0.5 s for it to sleep); 0 when unknown. */
uintptr_t libleak_own_thread_stack_pointer(pid_t tid);

#endif
