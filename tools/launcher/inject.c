/*
 * inject — one thread of another process borrowed to call a function (inject.h).
 *
 * The thread is taken with PTRACE_SEIZE and stopped with PTRACE_INTERRUPT: no SIGSTOP is sent,
 * so no signal is left pending and the process's job-control state is untouched. Only that
 * thread stops; the others run on, so a lock one of them holds is released as usual and the
 * call (dlopen) cannot wait on a stopped thread.
 *
 * A thread stopped where it may hold a lock that the call takes (the malloc arena's, the
 * loader's) would deadlock on itself: one stopped inside libc or ld.so outside a system call is
 * stepped out of it (step_to_safety); one inside a system call that malloc makes (brk, mmap,
 * munmap, mremap, mprotect, madvise) is let go, and another thread tried, or the same again a
 * moment later.
 *
 * The call: the registers are saved (general ones and the whole xsave area: dlopen uses vector
 * registers), the data is written below the red zone, a return address of 0 is pushed and rip
 * set to the function. It returns into address 0 and faults: that SIGSEGV stop is ours, and the
 * signal is discarded. orig_rax is set to -1 during the call, so that the kernel does not
 * restart an interrupted system call on top of our registers; the saved registers, written
 * back at the end, restart it exactly as if the thread had never stopped. A signal that
 * arrives for the thread meanwhile is kept and delivered when it is let go.
 */
#include "inject.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STOP_NANOS (2 * 1000000000LL)  /* for a thread to stop */
#define CALL_NANOS (10 * 1000000000LL) /* for a call to return: dlopen on a loaded machine */

struct inject_thread {
    pid_t pid, tid;
    int memory;         /* /proc/PID/mem */
    int pending_signal; /* arrived during the call: delivered at the end */
    int64_t stopped_at;
    int64_t stepping; /* of which spent stepping out of libc */
#if defined(__x86_64__)
    struct user_regs_struct saved;
    struct iovec vector_state;
    unsigned char vector_bytes[64 * 1024];
#endif
};

static int64_t now_nanos(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static void pause_micros(long micros)
{
    struct timespec pause = {0, micros * 1000};
    nanosleep(&pause, NULL);
}

/* Waits up to `nanos` for a stop of tid. 1 stopped (status set), 0 timed out, -1 gone. */
static int wait_stop(pid_t tid, int *status, int64_t nanos)
{
    int64_t deadline = now_nanos() + nanos;
    for (;;) {
        pid_t got = waitpid(tid, status, __WALL | WNOHANG);
        if (got == tid)
            return WIFSTOPPED(*status) ? 1 : -1;
        if (got < 0)
            return -1;
        if (now_nanos() > deadline)
            return 0;
        pause_micros(50);
    }
}

bool inject_thread_gone(pid_t tid)
{
    char name[64], state = 'X';
    snprintf(name, sizeof name, "/proc/%d/stat", tid);
    FILE *file = fopen(name, "re");
    if (file) {
        if (fscanf(file, "%*d (%*[^)]) %c", &state) != 1)
            state = 'X';
        fclose(file);
    }
    return state == 'Z' || state == 'X' || state == 'x';
}

static enum inject_error failed_for(pid_t tid)
{
    int error = errno;
    enum inject_error answer = error == ESRCH || inject_thread_gone(tid) ? INJECT_GONE : INJECT_FAILED;
    errno = error;
    return answer;
}

int inject_read(struct inject_thread *thread, uintptr_t address, void *buffer, size_t size)
{
    return pread(thread->memory, buffer, size, (off_t)address) == (ssize_t)size ? 0 : -1;
}

int inject_write(struct inject_thread *thread, uintptr_t address, const void *buffer, size_t size)
{
    return pwrite(thread->memory, buffer, size, (off_t)address) == (ssize_t)size ? 0 : -1;
}

#if defined(__x86_64__)

static bool in_ranges(uintptr_t address, const struct inject_range *ranges, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (address >= ranges[i].start && address < ranges[i].end)
            return true;
    return false;
}

/* See the top comment: where a borrowed thread may hold a lock that dlopen needs. */
static bool safe_to_borrow(const struct user_regs_struct *registers, const struct inject_range *unsafe,
                           size_t unsafe_count)
{
    long call = (long)registers->orig_rax;
    if (call < 0)
        return !in_ranges(registers->rip, unsafe, unsafe_count);
    static const long allocator_calls[] = {9 /* mmap */, 10 /* mprotect */, 11 /* munmap */,
                                           12 /* brk */, 25 /* mremap */, 28 /* madvise */};
    for (size_t i = 0; i < sizeof allocator_calls / sizeof allocator_calls[0]; i++)
        if (call == allocator_calls[i])
            return false;
    return true;
}

/* Seizes and stops tid. INJECT_OK with the thread stopped, else it is not traced. */
static enum inject_error seize_and_stop(pid_t tid, int *pending_signal)
{
    if (ptrace(PTRACE_SEIZE, tid, 0, 0) != 0) {
        if (errno != EPERM)
            return failed_for(tid);
        pause_micros(20000); /* the kernel refuses an exiting thread with EPERM too */
        return inject_thread_gone(tid) ? INJECT_GONE : INJECT_DENIED;
    }
    if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0) {
        enum inject_error error = failed_for(tid);
        ptrace(PTRACE_DETACH, tid, 0, 0);
        return error;
    }
    for (;;) {
        int status, waited = wait_stop(tid, &status, STOP_NANOS);
        if (waited < 0)
            return INJECT_GONE;
        if (waited == 0) { /* a zombie leader, or a thread stopped by someone else */
            ptrace(PTRACE_DETACH, tid, 0, 0);
            return INJECT_BUSY;
        }
        if (status >> 16 == PTRACE_EVENT_STOP)
            return INJECT_OK;
        /* A signal on its way to the thread: kept for the end; the interrupt still comes. */
        *pending_signal = WSTOPSIG(status);
        if (ptrace(PTRACE_CONT, tid, 0, 0) != 0)
            return failed_for(tid);
    }
}

/* A thread stopped inside libc or ld.so (outside a system call) is stepped, one instruction at
   a time, until it comes out: a malloc or free takes a few hundred instructions, and a program
   whose threads all loop in malloc and free would otherwise be caught inside it almost every
   time. True with the thread stopped at a safe place and its registers in *registers. */
static bool step_to_safety(pid_t tid, struct user_regs_struct *registers, const struct inject_range *unsafe,
                           size_t unsafe_count, int *pending_signal)
{
    for (int step = 0; step < 20000; step++) {
        if (ptrace(PTRACE_SINGLESTEP, tid, 0, 0) != 0)
            return false;
        int status, waited = wait_stop(tid, &status, 50 * 1000000LL);
        if (waited < 0)
            return false;
        if (waited == 0) { /* blocked in a system call: stop it there */
            if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0 || wait_stop(tid, &status, STOP_NANOS) != 1)
                return false;
        }
        if (status >> 16 == 0 && WSTOPSIG(status) != SIGTRAP)
            *pending_signal = WSTOPSIG(status);
        if (ptrace(PTRACE_GETREGS, tid, 0, registers) != 0)
            return false;
        if (safe_to_borrow(registers, unsafe, unsafe_count))
            return true;
    }
    return false;
}

static bool numeric(const char *name)
{
    return name[0] >= '0' && name[0] <= '9';
}

enum inject_error inject_stop(pid_t pid, const struct inject_range *unsafe, size_t unsafe_count,
                              struct inject_thread **stopped)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    int memory = open(path, O_RDWR | O_CLOEXEC);
    if (memory < 0)
        return errno == ENOENT || errno == ESRCH ? INJECT_GONE
               : errno == EACCES || errno == EPERM ? INJECT_DENIED
                                                   : INJECT_FAILED;
    struct inject_thread *thread = calloc(1, sizeof *thread);
    if (!thread) {
        close(memory);
        return INJECT_FAILED;
    }
    thread->pid = pid;
    thread->memory = memory;
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    int64_t deadline = now_nanos() + STOP_NANOS;
    enum inject_error error = INJECT_BUSY;
    /* Rounds over the threads, the leader first (/proc lists it first), until one stops at a
       safe place. */
    while (now_nanos() < deadline) {
        DIR *tasks = opendir(path);
        if (!tasks) {
            error = INJECT_GONE;
            break;
        }
        struct dirent *entry;
        bool any = false;
        while ((entry = readdir(tasks)) != NULL) {
            if (!numeric(entry->d_name))
                continue;
            any = true;
            pid_t tid = (pid_t)atoi(entry->d_name);
            int pending = 0;
            enum inject_error seized = seize_and_stop(tid, &pending);
            if (seized == INJECT_DENIED || seized == INJECT_FAILED) {
                error = seized;
                closedir(tasks);
                goto failed;
            }
            if (seized != INJECT_OK)
                continue;
            thread->tid = tid;
            thread->pending_signal = pending;
            thread->stopped_at = now_nanos();
            thread->stepping = 0;
            if (ptrace(PTRACE_GETREGS, tid, 0, &thread->saved) == 0 &&
                (safe_to_borrow(&thread->saved, unsafe, unsafe_count) ||
                 ((long)thread->saved.orig_rax < 0 &&
                  step_to_safety(tid, &thread->saved, unsafe, unsafe_count, &thread->pending_signal)))) {
                thread->vector_state.iov_base = thread->vector_bytes;
                thread->vector_state.iov_len = sizeof thread->vector_bytes;
                if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &thread->vector_state) != 0) {
                    thread->vector_state.iov_len = 0; /* no xsave: the legacy FP area */
                    struct user_fpregs_struct *legacy = (struct user_fpregs_struct *)thread->vector_bytes;
                    if (ptrace(PTRACE_GETFPREGS, tid, 0, legacy) != 0) {
                        ptrace(PTRACE_DETACH, tid, 0, (void *)(long)pending);
                        continue;
                    }
                }
                closedir(tasks);
                thread->stepping = now_nanos() - thread->stopped_at;
                *stopped = thread;
                return INJECT_OK;
            }
            ptrace(PTRACE_DETACH, tid, 0, (void *)(long)thread->pending_signal);
        }
        closedir(tasks);
        if (!any) {
            error = INJECT_GONE;
            break;
        }
        pause_micros(200);
    }
failed:
    close(memory);
    free(thread);
    return error;
}

enum inject_error inject_call(struct inject_thread *thread, uintptr_t function, const uint64_t *arguments,
                              size_t count, const void *data, size_t data_size, uint64_t *result)
{
    struct user_regs_struct registers = thread->saved;
    uint64_t stack = (thread->saved.rsp - 128 /* red zone */ - data_size) & ~(uint64_t)15;
    if (data_size && inject_write(thread, stack, data, data_size) != 0)
        return failed_for(thread->tid);
    uint64_t return_address = 0;
    stack -= 8; /* rsp % 16 == 8 at a function's entry */
    if (inject_write(thread, stack, &return_address, sizeof return_address) != 0)
        return failed_for(thread->tid);
    uint64_t data_address = stack + 8;
    unsigned long long *slots[] = {&registers.rdi, &registers.rsi, &registers.rdx,
                                   &registers.rcx, &registers.r8,  &registers.r9};
    for (size_t i = 0; i < count && i < 6; i++)
        *slots[i] = arguments[i] == INJECT_DATA ? data_address : arguments[i];
    registers.rsp = stack;
    registers.rip = function;
    registers.rax = 0;
    registers.orig_rax = (unsigned long long)-1; /* no system call restart on our registers */
    if (ptrace(PTRACE_SETREGS, thread->tid, 0, &registers) != 0 || ptrace(PTRACE_CONT, thread->tid, 0, 0) != 0)
        return failed_for(thread->tid);
    for (;;) {
        int status, waited = wait_stop(thread->tid, &status, CALL_NANOS);
        if (waited < 0)
            return INJECT_GONE;
        if (waited == 0)
            return INJECT_STUCK;
        int signal_number = WSTOPSIG(status);
        if (status >> 16 == 0 && signal_number == SIGSEGV) {
            if (ptrace(PTRACE_GETREGS, thread->tid, 0, &registers) != 0)
                return failed_for(thread->tid);
            if (registers.rip != 0)
                return INJECT_CRASHED;
            *result = registers.rax;
            return INJECT_OK;
        }
        if (status >> 16 == 0) /* another signal: delivered when the thread is let go */
            thread->pending_signal = signal_number;
        if (ptrace(PTRACE_CONT, thread->tid, 0, 0) != 0)
            return failed_for(thread->tid);
    }
}

int64_t inject_stepping(const struct inject_thread *thread)
{
    return thread->stepping;
}

int64_t inject_resume(struct inject_thread *thread)
{
    ptrace(PTRACE_SETREGS, thread->tid, 0, &thread->saved);
    if (thread->vector_state.iov_len)
        ptrace(PTRACE_SETREGSET, thread->tid, (void *)NT_X86_XSTATE, &thread->vector_state);
    else
        ptrace(PTRACE_SETFPREGS, thread->tid, 0, thread->vector_bytes);
    ptrace(PTRACE_DETACH, thread->tid, 0, (void *)(long)thread->pending_signal);
    int64_t stopped = now_nanos() - thread->stopped_at;
    close(thread->memory);
    free(thread);
    return stopped;
}

#else /* not x86-64: see docs/ATTACH.md for what another architecture needs */

enum inject_error inject_stop(pid_t pid, const struct inject_range *unsafe, size_t unsafe_count,
                              struct inject_thread **stopped)
{
    (void)pid, (void)unsafe, (void)unsafe_count, (void)stopped, (void)now_nanos, (void)pause_micros,
            (void)wait_stop, (void)failed_for;
    return INJECT_UNSUPPORTED;
}

enum inject_error inject_call(struct inject_thread *thread, uintptr_t function, const uint64_t *arguments,
                              size_t count, const void *data, size_t data_size, uint64_t *result)
{
    (void)thread, (void)function, (void)arguments, (void)count, (void)data, (void)data_size, (void)result;
    return INJECT_UNSUPPORTED;
}

int64_t inject_stepping(const struct inject_thread *thread)
{
    return thread->stepping;
}

int64_t inject_stepping(const struct inject_thread *thread)
{
    (void)thread;
    return 0;
}

int64_t inject_resume(struct inject_thread *thread)
{
    (void)thread;
    return 0;
}
#endif
