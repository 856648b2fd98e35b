/*
 * tracer — see tracer.h.
 *
 * The helper and the scanning thread talk through a channel in shared memory: the scanning
 * thread writes a command and bumps `request` (a futex word), the helper does it and copies
 * `request` into `reply`. The helper uses only raw system calls through syscall(): it runs on
 * its own stack but with the scanning thread's thread pointer (no CLONE_SETTLS), so glibc
 * state it touched would be that thread's (syscall() may set its errno: the gate's entry
 * points restore errno). It blocks every signal, is untraced (CLONE_UNTRACED: strace -f does
 * not follow it), and its exit signal is 0, so the program's wait() never sees it.
 *
 * Stopping a thread: PTRACE_SEIZE, then PTRACE_INTERRUPT, then wait for the
 * PTRACE_EVENT_STOP. A signal that reaches the thread meanwhile shows as a signal-delivery
 * stop; it is handed back (PTRACE_CONT with it) and the wait goes on. SEIZE rather than
 * ATTACH: ATTACH sends SIGSTOP, which a stopped-and-continued program could notice.
 */
#include "gate/tracer.h"

#if defined(__x86_64__)

#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc/memory.h"
#include "gate/stop_world.h"
#include "os/proc_files.h"

_Static_assert(sizeof(struct user_regs_struct) == LIBLEAK_REGISTER_WORDS * sizeof(uintptr_t),
               "user_regs_struct is 27 words on x86-64");

enum command { COMMAND_STOP = 1, COMMAND_FINISH };

#define HELPER_STACK_BYTES (64 * 1024)
#define GUARD_BYTES 4096

struct channel {
    _Atomic int request, reply; /* futex words */
    int command;
    pid_t tid;
    enum libleak_trace_result result;
    struct libleak_traced_thread thread;
    size_t stopped_count; /* the helper's: the threads it holds */
    pid_t stopped[MAX_THREADS];
};

static struct channel *channel;
static void *mapping;
static size_t mapping_bytes;
static pid_t helper;
static bool yama_asked; /* PR_SET_PTRACER was set for the helper */

static long futex(_Atomic int *word, int operation, int value)
{
    return syscall(SYS_futex, word, operation, value, NULL, NULL, 0);
}

static long trace(long request, pid_t tid, long data_or_signal, void *out)
{
    return syscall(SYS_ptrace, request, (long)tid, 0L, out ? (long)out : data_or_signal);
}

/* In the helper: stops tid and reads its registers. */
static enum libleak_trace_result stop_thread(pid_t tid, struct libleak_traced_thread *thread)
{
    if (trace(PTRACE_SEIZE, tid, 0, NULL) != 0)
        return errno == ESRCH ? LIBLEAK_TRACE_GONE : LIBLEAK_TRACE_REFUSED;
    if (trace(PTRACE_INTERRUPT, tid, 0, NULL) != 0) {
        trace(PTRACE_DETACH, tid, 0, NULL);
        return LIBLEAK_TRACE_GONE;
    }
    for (;;) {
        int status;
        long waited = syscall(SYS_wait4, tid, &status, __WALL, NULL);
        if (waited < 0 && errno == EINTR)
            continue;
        if (waited < 0 || WIFEXITED(status) || WIFSIGNALED(status))
            return LIBLEAK_TRACE_GONE;
        if (!WIFSTOPPED(status))
            continue;
        if (status >> 16 == PTRACE_EVENT_STOP)
            break;
        /* a signal on its way to the thread: the program's, handed back untouched */
        trace(PTRACE_CONT, tid, WSTOPSIG(status), NULL);
    }
    struct user_regs_struct registers;
    if (trace(PTRACE_GETREGS, tid, 0, &registers) != 0) {
        trace(PTRACE_DETACH, tid, 0, NULL);
        return LIBLEAK_TRACE_GONE;
    }
    memcpy(thread->registers, &registers, sizeof registers);
    thread->sp = registers.rsp;
    thread->tp = registers.fs_base;
    if (channel->stopped_count < MAX_THREADS)
        channel->stopped[channel->stopped_count++] = tid;
    return LIBLEAK_TRACE_STOPPED;
}

static int helper_main(void *unused)
{
    (void)unused;
    sigset_t all;
    sigfillset(&all);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof(uint64_t));
    int seen = 0;
    for (;;) {
        while (atomic_load(&channel->request) == seen)
            futex(&channel->request, FUTEX_WAIT, seen);
        seen = atomic_load(&channel->request);
        if (channel->command == COMMAND_FINISH) {
            for (size_t i = 0; i < channel->stopped_count; i++)
                trace(PTRACE_DETACH, channel->stopped[i], 0, NULL);
            channel->stopped_count = 0;
            atomic_store(&channel->reply, seen);
            futex(&channel->reply, FUTEX_WAKE, 1);
            syscall(SYS_exit, 0);
        }
        channel->result = stop_thread(channel->tid, &channel->thread);
        atomic_store(&channel->reply, seen);
        futex(&channel->reply, FUTEX_WAKE, 1);
    }
    return 0;
}

/* Sends a command and waits until the helper has done it. */
static void ask(int command)
{
    channel->command = command;
    int number = atomic_load(&channel->request) + 1;
    atomic_store(&channel->request, number);
    futex(&channel->request, FUTEX_WAKE, 1);
    while (atomic_load(&channel->reply) != number)
        futex(&channel->reply, FUTEX_WAIT, atomic_load(&channel->reply));
}

/* Under Yama's ptrace_scope 1 only an ancestor may trace us unless we name the tracer. */
static bool yama_restricts(void)
{
    char scope[8];
    return libleak_read_small_file("/proc/sys/kernel/yama/ptrace_scope", scope, sizeof scope) > 0 &&
           scope[0] == '1';
}

bool libleak_tracer_start(void)
{
    mapping_bytes = GUARD_BYTES + HELPER_STACK_BYTES + ((sizeof *channel + 4095) & ~(size_t)4095);
    mapping = libleak_map(mapping_bytes);
    if (!mapping)
        return false;
    mprotect(mapping, GUARD_BYTES, PROT_NONE); /* the helper's stack grows down into it */
    char *stack_top = (char *)mapping + GUARD_BYTES + HELPER_STACK_BYTES;
    channel = (struct channel *)stack_top;
    helper = clone(helper_main, stack_top, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_UNTRACED, NULL);
    if (helper <= 0) {
        libleak_unmap(mapping, mapping_bytes);
        mapping = NULL;
        return false;
    }
    yama_asked = yama_restricts() && prctl(PR_SET_PTRACER, helper, 0, 0, 0) == 0;
    return true;
}

enum libleak_trace_result libleak_tracer_stop(pid_t tid, struct libleak_traced_thread *thread)
{
    channel->tid = tid;
    ask(COMMAND_STOP);
    if (channel->result == LIBLEAK_TRACE_STOPPED)
        *thread = channel->thread;
    return channel->result;
}

void libleak_tracer_finish(void)
{
    if (!mapping)
        return;
    ask(COMMAND_FINISH);
    int status;
    while (syscall(SYS_wait4, helper, &status, __WALL, NULL) < 0 && errno == EINTR)
        ;
    if (yama_asked)
        prctl(PR_SET_PTRACER, 0, 0, 0, 0);
    libleak_unmap(mapping, mapping_bytes);
    mapping = NULL;
}

#else

bool libleak_tracer_start(void)
{
    return false;
}

enum libleak_trace_result libleak_tracer_stop(pid_t tid, struct libleak_traced_thread *thread)
{
    (void)tid;
    (void)thread;
    return LIBLEAK_TRACE_REFUSED;
}

void libleak_tracer_finish(void)
{
}

#endif
