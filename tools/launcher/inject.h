/*
 * inject — making one thread of another process call a function, through ptrace.
 *
 * inject_stop picks a thread that is safe to borrow (not stopped inside libc, ld.so or the
 * allocator's system calls, where it may hold a lock the call needs) and stops it alone: the
 * process's other threads run on. inject_call runs one function on it and returns its result;
 * inject_resume puts back every register (the FP/vector state too) and lets it go.
 */
#ifndef LIBLEAK_INJECT_H
#define LIBLEAK_INJECT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What went wrong, for attach.c's messages. */
enum inject_error {
    INJECT_OK,
    INJECT_GONE,        /* the process exited (ESRCH, or its thread ended) */
    INJECT_DENIED,      /* PTRACE_SEIZE: EPERM */
    INJECT_BUSY,        /* no thread could be stopped at a safe place in time */
    INJECT_CRASHED,     /* the called function faulted */
    INJECT_STUCK,       /* the called function did not return in time */
    INJECT_UNSUPPORTED, /* not x86-64 */
    INJECT_FAILED,      /* another ptrace failure (errno says which) */
};

/* An address range where a stopped thread must not be borrowed. */
struct inject_range {
    uintptr_t start, end;
};

struct inject_thread;

enum inject_error inject_stop(pid_t pid, const struct inject_range *unsafe, size_t unsafe_count,
                              struct inject_thread **stopped);
/* Calls function(arguments...) (up to 6 integer arguments) with `data` copied onto the
   thread's stack first; an argument equal to INJECT_DATA is replaced by the copy's address. */
#define INJECT_DATA ((uint64_t)-2)
enum inject_error inject_call(struct inject_thread *thread, uintptr_t function, const uint64_t *arguments,
                              size_t count, const void *data, size_t data_size, uint64_t *result);
/* Reads or writes the process's memory (through /proc/PID/mem). 0, or -1 with errno. */
int inject_read(struct inject_thread *thread, uintptr_t address, void *buffer, size_t size);
int inject_write(struct inject_thread *thread, uintptr_t address, const void *buffer, size_t size);
/* How long the thread was stepped out of libc before it was safe to borrow, in ns (it runs,
   one instruction at a time, meanwhile). */
int64_t inject_stepping(const struct inject_thread *thread);
/* Whether thread (or process) tid has exited or is a zombie: what a failed ptrace or memory
   access meant (a dying process's memory answers EIO or short reads, not ESRCH). */
bool inject_thread_gone(pid_t tid);
/* Puts back the registers and detaches. Returns how long the thread was stopped, in ns. */
int64_t inject_resume(struct inject_thread *thread);
#endif
