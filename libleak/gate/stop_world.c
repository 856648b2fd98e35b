/*
 * stop_world — see stop_world.h.
 *
 * With ptrace first (tracer.c, LeakSanitizer's way): a helper process stops each thread, and
 * nothing of the program notices — no signal it could take, no interrupted sleep, any signal
 * mask, and its registers are read. Where ptrace is refused (a seccomp filter, Yama, a thread
 * a debugger or strace already traces, no process slot for the helper), signals, thread by
 * thread:
 *
 * each such thread gets the stop signal (LIBLEAK_STOP_SIGNAL, default SIGPWR) by tgkill;
 * the handler spills the registers with getcontext into its own frame (the kernel's signal
 * frame above it already holds the interrupted registers too), publishes its stack pointer and thread pointer and waits on a
 * futex until released. That is the Boehm collector's approach. A thread that blocks the
 * signal while sleeping in a system call (a sigwait thread) is not signalled, because our
 * signal would be taken by its sigwait; it is scanned from the stack pointer the kernel
 * reports in /proc/self/task/T/syscall, and the scan is redone if it woke meanwhile.
 * libleak's own threads (named "libleak-...") never touch the program's memory and are left
 * alone.
 *
 * Nothing here allocates: a stopped thread may hold malloc's lock.
 */
#include "gate/stop_world.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "core/config.h"
#include "gate/reach_private.h"
#include "os/proc_tasks.h"

static struct thread_slot *slots;
static _Atomic size_t slot_count;
static _Atomic int released; /* futex word: 0 while the world is stopped */
static _Atomic bool stopping;
static pid_t own_threads[MAX_OWN_THREADS];
static bool traced;       /* the tracer helper runs: threads are stopped with ptrace first */
static bool tracer_tried; /* this stop has tried to start it */
static size_t own_thread_count;

static long futex(_Atomic int *word, int operation, int value)
{
    return syscall(SYS_futex, word, operation, value, NULL, NULL, 0);
}

static void on_stop_signal(int signal_number, siginfo_t *info, void *context)
{
    (void)signal_number;
    (void)context;
    int saved_errno = errno;
    if (!atomic_load(&stopping) || info->si_pid != getpid()) {
        errno = saved_errno; /* not ours: a stray one during the scan is dropped */
        return;
    }
    pid_t self = (pid_t)syscall(SYS_gettid);
    size_t count = atomic_load(&slot_count);
    struct thread_slot *slot = NULL;
    for (size_t i = 0; i < count; i++)
        if (atomic_load(&slots[i].tid) == self && atomic_load(&slots[i].state) == SLOT_SIGNALLED)
            slot = &slots[i];
    if (!slot || atomic_load(&released)) {
        errno = saved_errno;
        return;
    }
    ucontext_t registers; /* callee-saved registers land here, on the stack we scan */
    getcontext(&registers);
    slot->sp = (uintptr_t)&registers;
    slot->tp = thread_pointer();
    atomic_store(&slot->state, SLOT_STOPPED);
    while (!atomic_load(&released))
        futex(&released, FUTEX_WAIT_PRIVATE, 0);
    __asm__ volatile("" ::"r"(&registers) : "memory"); /* keep registers alive until released */
    atomic_store(&slot->state, SLOT_LEFT);
    errno = saved_errno;
}

static bool is_own_thread(pid_t tid)
{
    char comm[64];
    return libleak_task_name(tid, comm, sizeof comm) && strncmp(comm, "libleak-", 8) == 0;
}

/* System calls a thread may sleep in for long: a thread that blocks the stop signal there is
   scanned without being stopped. Not the short ones glibc's start_thread makes with every
   signal blocked (rseq, set_robust_list, rt_sigprocmask): a thread caught there is signalled,
   and stops as soon as it unblocks signals. */
static bool is_sleeping_call(long number)
{
    static const long calls[] = {
            SYS_futex,      SYS_rt_sigtimedwait, SYS_rt_sigsuspend, SYS_nanosleep,    SYS_clock_nanosleep,
            SYS_ppoll,      SYS_pselect6,        SYS_epoll_pwait,   SYS_read,         SYS_readv,
            SYS_pread64,    SYS_recvfrom,        SYS_recvmsg,       SYS_accept4,      SYS_wait4,
            SYS_waitid,     SYS_msgrcv,          SYS_semtimedop,    SYS_io_getevents,
#ifdef SYS_pause
            SYS_pause,
#endif
#ifdef SYS_poll
            SYS_poll,
#endif
#ifdef SYS_select
            SYS_select,
#endif
#ifdef SYS_epoll_wait
            SYS_epoll_wait,
#endif
#ifdef SYS_accept
            SYS_accept,
#endif
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        if (calls[i] == number)
            return true;
    return false;
}

/* The stack pointer /proc reports for a thread in a system call (any call when any_call,
   else only one it sleeps in); 0 when it is running or in another call. */
static uintptr_t syscall_stack_pointer(pid_t tid, bool any_call)
{
    struct libleak_syscall_line line;
    if (!libleak_task_syscall(tid, &line))
        return 0;
    if (!any_call && !(line.in_call && is_sleeping_call(line.number)))
        return 0;
    return line.stack_pointer;
}

uintptr_t libleak_sleeping_stack_pointer(pid_t tid)
{
    return syscall_stack_pointer(tid, false);
}

/* Where a libleak thread's stack is: it sleeps nearly all the time (the dumper in sem_wait),
   so wait a little for it to enter a system call if it is running. */
uintptr_t libleak_own_thread_stack_pointer(pid_t tid)
{
    for (int round = 0; round < 500; round++) {
        uintptr_t sp = syscall_stack_pointer(tid, true);
        if (sp)
            return sp;
        struct timespec pause = {0, 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return 0;
}

static struct thread_slot *slot_of(pid_t tid)
{
    size_t count = atomic_load(&slot_count);
    for (size_t i = 0; i < count; i++)
        if (slots[i].tid == tid)
            return &slots[i];
    return NULL;
}

struct listing {
    pid_t self;
    int found;
};

/* The calling thread, one already in a slot, or one of ours already noted. */
static bool already_known(pid_t tid, pid_t self)
{
    if (tid == self || slot_of(tid))
        return true;
    for (size_t k = 0; k < own_thread_count; k++)
        if (own_threads[k] == tid)
            return true;
    return false;
}

/* Signals the thread if it is new (counted in listing->found), or notes it if it is ours. */
static bool stop_if_new(pid_t tid, void *context)
{
    struct listing *listing = context;
    if (already_known(tid, listing->self))
        return true;
    if (is_own_thread(tid)) {
        if (own_thread_count < MAX_OWN_THREADS)
            own_threads[own_thread_count++] = tid;
        return true;
    }
    size_t index = atomic_load(&slot_count);
    if (index >= MAX_THREADS)
        return true;
    struct thread_slot *slot = &slots[index];
    atomic_store(&slot->tid, tid);
    listing->found++;
    if (!tracer_tried) { /* only when there is a thread to stop: most processes have none */
        tracer_tried = true;
        traced = libleak_tracer_start();
    }
    if (traced) {
        switch (libleak_tracer_stop(tid, &slot->traced)) {
        case LIBLEAK_TRACE_STOPPED:
            atomic_store(&slot->state, SLOT_TRACED);
            atomic_store(&slot_count, index + 1);
            return true;
        case LIBLEAK_TRACE_GONE:
            atomic_store(&slot->state, SLOT_GONE);
            atomic_store(&slot_count, index + 1);
            return true;
        case LIBLEAK_TRACE_REFUSED: break; /* a debugger holds it, say: a signal, then */
        }
    }
    /* the switches first: a sleeper that wakes after they were read is caught by
       libleak_world_held */
    if (libleak_task_blocks_signal(tid, libleak_config.stop_signal) && libleak_task_switches(tid, &slot->switches) &&
        (slot->sp = libleak_sleeping_stack_pointer(tid)) != 0) {
        atomic_store(&slot->state, SLOT_SLEEPING);
        atomic_store(&slot_count, index + 1);
        return true;
    }
    atomic_store(&slot->state, SLOT_SIGNALLED);
    atomic_store(&slot_count, index + 1); /* published before the signal can arrive */
    if (syscall(SYS_tgkill, getpid(), tid, libleak_config.stop_signal) != 0)
        atomic_store(&slot->state, SLOT_GONE);
    return true;
}

/* Signals every thread not yet seen; returns how many new ones were found. */
static int stop_new_threads(pid_t self)
{
    struct listing listing = {self, 0};
    libleak_tasks_list(stop_if_new, &listing);
    return listing.found;
}

static void sleep_a_little(void)
{
    struct timespec pause = {0, 200 * 1000};
    nanosleep(&pause, NULL);
}

static int64_t monotonic_nanos(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* A thread that has kept the stop signal blocked this long while running is not waited for:
   glibc blocks signals only for a few instructions (thread start and exit), while a thread
   that blocks them to compute may never take the signal before the program ends. */
#define BLOCKED_GIVE_UP_NANOS (200 * 1000 * 1000)

/* Waits until every signalled thread has stopped (or gone); gives up on one after ~5 s, or
   after BLOCKED_GIVE_UP_NANOS for one that keeps the signal blocked. */
static void wait_for_stops(void)
{
    for (int round = 0; round < 25000; round++) {
        bool waiting = false;
        size_t count = atomic_load(&slot_count);
        for (size_t i = 0; i < count; i++) {
            struct thread_slot *slot = &slots[i];
            if (atomic_load(&slot->state) != SLOT_SIGNALLED || slot->given_up)
                continue;
            if (round % 64 == 63) {
                if (!libleak_task_alive(slot->tid)) {
                    int expected = SLOT_SIGNALLED;
                    atomic_compare_exchange_strong(&slot->state, &expected, SLOT_GONE);
                    continue;
                }
                if (!libleak_task_blocks_signal(slot->tid, libleak_config.stop_signal)) {
                    slot->blocked_since = 0;
                } else if (!slot->blocked_since) {
                    slot->blocked_since = monotonic_nanos();
                } else if (monotonic_nanos() - slot->blocked_since >= BLOCKED_GIVE_UP_NANOS) {
                    slot->given_up = true;
                    continue;
                }
            }
            waiting = true;
        }
        if (!waiting)
            return;
        sleep_a_little();
    }
}

static size_t slots_bytes;
static struct sigaction previous;

bool libleak_stop_world(void)
{
    slots_bytes = round_pages(MAX_THREADS * sizeof *slots);
    slots = map_zeroed(slots_bytes);
    if (!slots)
        return false;
    atomic_store(&slot_count, 0);
    atomic_store(&released, 0);
    own_thread_count = 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_stop_signal;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&action.sa_mask); /* nothing of the program runs on a stopped thread */
    atomic_store(&stopping, true);
    sigaction(libleak_config.stop_signal, &action, &previous);

    traced = tracer_tried = false;
    pid_t self = (pid_t)syscall(SYS_gettid);
    /* Threads may start threads until they are stopped: list again until nothing is new. */
    for (int round = 0; round < 64; round++) {
        if (stop_new_threads(self) == 0)
            break;
        wait_for_stops();
    }
    return true;
}

/* Counts a thread neither known nor ours, and stops the listing there. */
static bool note_unknown(pid_t tid, void *context)
{
    struct listing *listing = context;
    if (already_known(tid, listing->self) || is_own_thread(tid))
        return true;
    listing->found++;
    return false;
}

bool libleak_world_held(void)
{
    size_t count = atomic_load(&slot_count);
    for (size_t i = 0; i < count; i++) {
        uint64_t switches;
        if (atomic_load(&slots[i].state) == SLOT_SLEEPING &&
            (!libleak_task_switches(slots[i].tid, &switches) || switches != slots[i].switches))
            return false;
    }
    struct listing listing = {(pid_t)syscall(SYS_gettid), 0};
    libleak_tasks_list(note_unknown, &listing);
    return listing.found == 0;
}

bool libleak_world_may_run(void)
{
    size_t count = atomic_load(&slot_count);
    for (size_t i = 0; i < count; i++) {
        int state = atomic_load(&slots[i].state);
        if (state == SLOT_SLEEPING || state == SLOT_SIGNALLED)
            return true;
    }
    return false;
}

void libleak_resume_world(void)
{
    /* Resume, and wait until every handler has left before putting the program's disposition
       back; one that never ran keeps our handler (which then returns at once). */
    if (traced)
        libleak_tracer_finish();
    traced = false;
    atomic_store(&released, 1);
    futex(&released, FUTEX_WAKE_PRIVATE, MAX_THREADS);
    bool all_left = true;
    size_t count = atomic_load(&slot_count);
    for (size_t i = 0; i < count; i++) {
        int state;
        for (int round = 0; round < 5000 && (state = atomic_load(&slots[i].state)) == SLOT_STOPPED; round++)
            sleep_a_little();
        state = atomic_load(&slots[i].state);
        if (state == SLOT_STOPPED || (state == SLOT_SIGNALLED && libleak_task_alive(slots[i].tid)))
            all_left = false;
    }
    if (all_left) {
        sigaction(libleak_config.stop_signal, &previous, NULL);
        atomic_store(&stopping, false);
        munmap(slots, slots_bytes);
        slots = NULL;
    }
}

struct thread_slot *libleak_world_threads(size_t *count, size_t *bytes)
{
    *count = atomic_load(&slot_count);
    *bytes = slots_bytes;
    return slots;
}

size_t libleak_world_own_threads(const pid_t **tids)
{
    *tids = own_threads;
    return own_thread_count;
}
