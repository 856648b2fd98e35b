/*
 * proc_tasks — the threads of this process as /proc/self/task tells them: their ids, and for
 * one thread its name (comm), whether it blocks a signal and whether it ran (status), whether it is still alive
 * (stat) and where it sleeps (syscall: the stack pointer the kernel saved).
 *
 * Raw, as proc_maps: getdents64 rather than opendir (which mallocs), one read(2) of each file
 * into a buffer on the caller's stack, no stdio, no lock. The gate calls these with the
 * program's threads stopped, one of them maybe inside malloc. The parsers are apart from the
 * reads, for unit tests.
 */
#ifndef LIBLEAK_PROC_TASKS_H
#define LIBLEAK_PROC_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Calls visit with the id of every thread of this process (in directory order) until it
   returns false. False when /proc/self/task cannot be opened. */
bool libleak_tasks_list(bool (*visit)(pid_t tid, void *context), void *context);

/* The thread's name (/proc/self/task/TID/comm, with its newline), NUL-terminated; false when
   it cannot be read. */
bool libleak_task_name(pid_t tid, char *buffer, size_t size);

/* True when the thread's status says it blocks signal_number (its SigBlk mask). */
bool libleak_task_blocks_signal(pid_t tid, int signal_number);
bool libleak_status_blocks_signal(const char *status, int signal_number);

/* How often the thread has been switched out (its status's voluntary_ctxt_switches plus
   nonvoluntary_ctxt_switches): a thread asleep the whole time keeps the same count, one that
   ran meanwhile does not. False when it cannot be read. */
bool libleak_task_switches(pid_t tid, uint64_t *switches);
bool libleak_status_switches(const char *status, uint64_t *switches);

/* True while the thread exists and is neither a zombie nor dead (its stat's state). */
bool libleak_task_alive(pid_t tid);
bool libleak_stat_is_alive(const char *stat);

/* A thread's /proc/self/task/TID/syscall: "nr a1 a2 a3 a4 a5 a6 sp pc" inside a system call,
   "-1 sp pc" blocked outside one, "running" otherwise. */
struct libleak_syscall_line {
    bool in_call;            /* a system call number was given (not "-1") */
    long number;             /* the number (0 when the field has no digits) */
    uintptr_t stack_pointer; /* the user stack pointer the kernel saved */
};

/* Reads and parses the line; false when the thread is running or the line has no stack
   pointer (or cannot be read). */
bool libleak_task_syscall(pid_t tid, struct libleak_syscall_line *line);
bool libleak_syscall_line_parse(const char *text, struct libleak_syscall_line *line);

#endif
