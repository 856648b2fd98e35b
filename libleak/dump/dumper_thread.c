/*
 * dumper_thread — the thread that writes snapshots, and what wakes it (see dump.c's top
 * comment). A signal handler may only do async-signal-safe things: ours posts a semaphore
 * (no file descriptor that the program could close or reuse) and returns; the dumper thread,
 * started with every signal blocked so the program's signals never land on it, does the work:
 * snapshots on signal, the periodic snapshots of LIBLEAK_INTERVAL (deadlines on
 * CLOCK_MONOTONIC: setting the wall clock neither delays nor hurries them), the watch poll, and
 * the leak checks of LIBLEAK_CHECK_SIGNAL (its handler counts a request, then posts the same
 * semaphore; the dumper takes as many posts off the snapshot requests as checks were counted).
 *
 * The kernel lets only a single-threaded process enter a user namespace (unshare, setns):
 * namespaces.c calls libleak_dump_pause_dumper/resume_dumper around them; the dumper finishes
 * its dump, exits, is joined, and a new one starts after the call. A snapshot signal arriving
 * meanwhile is not lost: its semaphore post waits for the new thread.
 */
#include "dump/dumper_thread.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "alloc/thread.h"
#include "core/config.h"
#include "core/log.h"
#include "dump/dump.h"
#include "dump/watch.h"
#include "os/process_slots.h"
#include "os/descriptors.h"

static sem_t wakeup;

/* The dumper thread: wanted when something needs it (signal, interval, watch); running when
   it exists. dumper_control serialises starting and stopping it; paused counts the unshare and
   setns calls in progress. */
static pthread_mutex_t dumper_control = PTHREAD_MUTEX_INITIALIZER;
static bool dumper_wanted, dumper_running;
static int paused;
static pthread_t dumper_thread;
static pid_t dumper_tid;
static pid_t dumper_process; /* the process whose dumper this is (a fork child: its own) */
static atomic_bool dumper_stop;
static int64_t next_periodic; /* CLOCK_MONOTONIC nanoseconds; kept across a pause */
static void (*check_runner)(void);
static atomic_int check_requests; /* counted by the check signal's handler before its post */
static int check_posts_owed;      /* dumper only: posts of counted checks not yet taken */
static int64_t next_poll;

/* glibc ends the process when its count of live threads reaches zero: the last thread to
   finish (main's pthread_exit included) calls exit(0). Counted, the dumper would be a last
   thread that never finishes, and a program whose main calls pthread_exit would hang once its
   own threads were done, unkillable by signals the dumper blocks (gate_main_pthread_exit). So
   the dumper is taken off glibc's count while it runs: __nptl_nthreads, the counter glibc
   exports for libthread_db. Without it (another libc), the dumper stays counted. */
static unsigned *glibc_thread_count;

static void uncount_dumper(void)
{
    if (glibc_thread_count)
        __atomic_fetch_sub(glibc_thread_count, 1, __ATOMIC_ACQ_REL);
}

/* Before the dumper returns: glibc's start_thread takes it off the count again. */
static void recount_dumper(void)
{
    if (glibc_thread_count)
        __atomic_fetch_add(glibc_thread_count, 1, __ATOMIC_ACQ_REL);
}

/* The watch (issue 9, watch.c): while libleak_watch_active() says a watch feature is on, the
   dumper calls libleak_watch_poll() every LIBLEAK_WATCH_POLL_MS, on its own thread, inside
   libleak, with no lock of ours held. */
static unsigned watch_period_millis(void)
{
    return libleak_watch_active() ? LIBLEAK_WATCH_POLL_MS : 0;
}

static int64_t monotonic_nanos(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

#define SIG2STR_MAX_LENGTH 16

/* "USR1", "USR2" or "RTMIN+3": the signals LIBLEAK_SIGNAL may name (config.c). */
static void signal_name(int signal_number, char *name, size_t size)
{
    if (signal_number == SIGUSR1)
        snprintf(name, size, "USR1");
    else if (signal_number == SIGUSR2)
        snprintf(name, size, "USR2");
    else
        snprintf(name, size, "RTMIN+%d", signal_number - SIGRTMIN);
}

static void on_check_signal(int signal_number)
{
    (void)signal_number;
    int saved_errno = errno;
    atomic_fetch_add(&check_requests, 1);
    sem_post(&wakeup);
    errno = saved_errno;
}

/* Takes the posts of check requests off the posts taken; returns whether a check is due. */
static bool take_check_posts(int *posts)
{
    int checks = atomic_exchange(&check_requests, 0);
    check_posts_owed += checks;
    int taken = *posts < check_posts_owed ? *posts : check_posts_owed;
    check_posts_owed -= taken;
    *posts -= taken;
    return checks > 0;
}

static void on_snapshot_signal(int signal_number)
{
    (void)signal_number;
    int saved_errno = errno;
    sem_post(&wakeup);
    errno = saved_errno;
}

/* The earliest deadline of the periodic snapshot and the watch poll, or -1 for none. */
static int64_t next_deadline(void)
{
    int64_t deadline = -1;
    if (libleak_config.interval)
        deadline = next_periodic;
    if (watch_period_millis() && (deadline < 0 || next_poll < deadline))
        deadline = next_poll;
    return deadline;
}

/* Waits for snapshot requests (semaphore posts) or the next deadline. Returns how many posts
   it took: a burst of signals is one snapshot; 0 means a deadline passed. */
static int wait_for_work(void)
{
    for (;;) {
        int64_t deadline = next_deadline();
        int result;
        if (deadline < 0) {
            result = sem_wait(&wakeup);
        } else {
            struct timespec until = {(time_t)(deadline / 1000000000), (long)(deadline % 1000000000)};
            result = sem_clockwait(&wakeup, CLOCK_MONOTONIC, &until); /* glibc 2.30 */
        }
        if (result == 0)
            break;
        if (errno == ETIMEDOUT)
            return 0;
    }
    int posts = 1;
    while (sem_trywait(&wakeup) == 0)
        posts++;
    return posts;
}

static void *dumper_main(void *unused)
{
    (void)unused;
    libleak_enter(); /* for good: everything this thread allocates is ours, untracked */
    libleak_descriptors_own_table(); /* its files take no number of the program's (descriptors.h) */
    dumper_tid = gettid();
    for (;;) {
        int posts = wait_for_work();
        bool check_due = take_check_posts(&posts);
        if (atomic_load(&dumper_stop)) {
            /* One post is the pause's own: take it (it may still be on its way); any other
               was a snapshot request, left for the next dumper. */
            if (posts == 0)
                while (sem_wait(&wakeup) != 0)
                    ;
            else
                posts--;
            if (posts > 0)
                sem_post(&wakeup);
            break;
        }
        int64_t now = monotonic_nanos();
        bool periodic_due = libleak_config.interval && now >= next_periodic;
        if (periodic_due) /* the next one is an interval from now: a suspended process catches up once */
            next_periodic = now + (int64_t)libleak_config.interval * 1000000000;
        if (posts > 0 || periodic_due)
            libleak_dump_now(NULL);
        if (check_due && check_runner)
            check_runner();
        unsigned poll_millis = watch_period_millis();
        if (poll_millis && monotonic_nanos() >= next_poll) {
            libleak_watch_poll();
            next_poll = monotonic_nanos() + (int64_t)poll_millis * 1000000;
        }
    }
    recount_dumper();
    libleak_leave();
    return NULL;
}

/* Says once (a fork child inherits told, so a process tree says it once) why the dumper is
   not running, when a setting asked for what it does; with the defaults (the snapshot signal,
   the near-limit watch in a container) the library stays silent: a sandbox that forbids
   threads made ls and sort print a line on every run (lib_no_threads). */
static bool told;

static void say_not_started(const char *why)
{
    if (told || !libleak_config.dumper_asked)
        return;
    told = true;
    libleak_log("cannot start the dumper thread (%s); snapshots on signal, periodic snapshots and the watch are off",
                why);
}

/* RLIMIT_NPROC counts our thread against the real user, in every fork child again. It is
   started only if, after it, the user keeps at least an eighth of the limit free (at least
   one slot): the program's own next thread or fork must not find the limit reached because of
   us (lib_nproc: with nproc=2 they failed with EAGAIN). A margin, because the count is taken
   once, at start: a program that will need more slots than an eighth of its limit at once may
   still find us in one of them. */
static bool slot_to_spare(void)
{
    struct libleak_process_slots slots;
    uint64_t margin = 1;
    struct rlimit nproc;
    if (getrlimit(RLIMIT_NPROC, &nproc) == 0 && nproc.rlim_cur != RLIM_INFINITY && nproc.rlim_cur / 8 > 1)
        margin = nproc.rlim_cur / 8;
    if (libleak_process_slots_free(1 + margin, &slots) >= 1 + margin)
        return true;
    char why[160];
    snprintf(why, sizeof why, "RLIMIT_NPROC=%llu and %llu tasks of uid %u: the thread would take one of the last %llu",
             (unsigned long long)slots.limit, (unsigned long long)slots.used, (unsigned)getuid(),
             (unsigned long long)(1 + margin));
    say_not_started(why);
    return false;
}

/* Starts the dumper thread; dumper_control held (or the process single-threaded). Every
   signal is blocked in it: left unblocked, the snapshot signal would make it a thread the
   kernel may hand the process's signal to, and a program that blocks that signal and waits
   for it (sigwait on a thread of its own) would lose it to our handler (lib_signal_effects). */
static void start_dumper(void)
{
    if (!slot_to_spare())
        return;
    atomic_store(&dumper_stop, false);
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 1 << 20);
    int error = pthread_create(&dumper_thread, &attributes, dumper_main, NULL);
    pthread_attr_destroy(&attributes);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (error) {
        say_not_started(strerror(error));
        return;
    }
    uncount_dumper(); /* before anything else can stop it: only stop_dumper does, under dumper_control */
    pthread_setname_np(dumper_thread, "libleak-dumper");
    dumper_running = true;
}

/* Ends the dumper thread (after the dump it may be writing) and waits until the kernel no
   longer counts it: pthread_join returns when the thread has cleared its id, a moment before
   the kernel removes it from the thread group, and unshare(CLONE_NEWUSER) would still see two
   threads in that moment. dumper_control held. */
static void stop_dumper(void)
{
    atomic_store(&dumper_stop, true);
    sem_post(&wakeup);
    pthread_join(dumper_thread, NULL);
    dumper_running = false;
    pid_t pid = getpid();
    for (int i = 0; i < 10000 && tgkill(pid, dumper_tid, 0) == 0; i++) {
        struct timespec pause = {0, 100 * 1000};
        nanosleep(&pause, NULL);
    }
}

bool libleak_dump_pause_dumper(void)
{
    /* A child of vfork (or clone(CLONE_VM)) shares our memory but is a process of its own,
       single-threaded already: the dumper it would stop is its parent's. */
    if (getpid() != dumper_process)
        return false;
    int saved_errno = errno;
    pthread_mutex_lock(&dumper_control);
    if (paused++ == 0 && dumper_running)
        stop_dumper();
    pthread_mutex_unlock(&dumper_control);
    errno = saved_errno;
    return true;
}

void libleak_dump_resume_dumper(void)
{
    int saved_errno = errno;
    pthread_mutex_lock(&dumper_control);
    if (--paused == 0 && dumper_wanted && !dumper_running)
        start_dumper();
    pthread_mutex_unlock(&dumper_control);
    errno = saved_errno;
}

bool libleak_dumper_request(void)
{
    pthread_mutex_lock(&dumper_control);
    bool running = dumper_running;
    if (running)
        sem_post(&wakeup);
    pthread_mutex_unlock(&dumper_control);
    return running;
}

/* Installs the snapshot handler for LIBLEAK_SIGNAL; if sigaction refuses the signal, says so
   and tries SIGUSR2. */
static void install_signal_handler(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_snapshot_signal;
    action.sa_flags = SA_RESTART; /* the program's system calls must not see EINTR from us */
    sigemptyset(&action.sa_mask);
    if (sigaction(libleak_config.signal, &action, NULL) == 0)
        return;
    int refused = libleak_config.signal;
    int error = errno;
    if (refused != SIGUSR2 && sigaction(SIGUSR2, &action, NULL) == 0) {
        libleak_log("LIBLEAK_SIGNAL=%d: sigaction refused it (%s); using USR2", refused, strerror(error));
        libleak_config.signal = SIGUSR2;
        return;
    }
    libleak_log("LIBLEAK_SIGNAL=%d: sigaction refused it (%s); no snapshots on signal", refused,
                strerror(error));
    libleak_config.signal = 0;
}

void libleak_dumper_set_check(void (*run_check)(void))
{
    check_runner = run_check;
}

/* LIBLEAK_CHECK_SIGNAL's handler; a signal refused or ignored at start (as below) gets one line
   and no checks on signal. */
static void install_check_handler(void)
{
    struct sigaction action, current;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_check_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(libleak_config.check_signal, NULL, &current) == 0 && current.sa_handler == SIG_IGN)
        libleak_log("LIBLEAK_CHECK_SIGNAL: signal %d is ignored (SIG_IGN, inherited); left ignored: no checks "
                    "on signal",
                    libleak_config.check_signal);
    else if (sigaction(libleak_config.check_signal, &action, NULL) != 0)
        libleak_log("LIBLEAK_CHECK_SIGNAL=%d: sigaction refused it (%s); no checks on signal",
                    libleak_config.check_signal, strerror(errno));
}

/* A snapshot signal the process was started with ignored stays ignored: SIG_IGN is inherited
   across execve, and whoever set it (nohup, a shell's trap '' USR2, a supervisor) means every
   program below it to survive the signal. Our handler would have replaced it, and execve
   resets a handled signal to its default action: a program exec'd without the library (a
   static binary) then died of it (lib_signal_ignored). */
static bool signal_was_ignored(int signal_number)
{
    struct sigaction current;
    if (sigaction(signal_number, NULL, &current) != 0 || current.sa_handler != SIG_IGN)
        return false;
    char name[SIG2STR_MAX_LENGTH];
    signal_name(signal_number, name, sizeof name);
    libleak_log("LIBLEAK_SIGNAL: %s is ignored (SIG_IGN, inherited); left ignored: no snapshots on signal", name);
    return true;
}

/* A snapshot signal the program handles itself is left to it. Only an attach finds one (the
   constructor of a preloaded library runs before the program's code): ours would take the
   program's signals (process/attach.c). */
static bool signal_was_handled(int signal_number)
{
    struct sigaction current;
    if (sigaction(signal_number, NULL, &current) != 0 || current.sa_handler == SIG_DFL ||
        current.sa_handler == SIG_IGN)
        return false;
    char name[SIG2STR_MAX_LENGTH];
    signal_name(signal_number, name, sizeof name);
    libleak_log("LIBLEAK_SIGNAL: the program handles %s itself; left to it: no snapshots on signal", name);
    return true;
}

void libleak_dumper_init(void)
{
    sem_init(&wakeup, 0, 0);
    dumper_process = getpid();
    glibc_thread_count = dlsym(RTLD_DEFAULT, "__nptl_nthreads");
    int64_t now = monotonic_nanos();
    next_periodic = now + (int64_t)libleak_config.interval * 1000000000;
    next_poll = now;
    if (libleak_config.signal && (signal_was_ignored(libleak_config.signal) || signal_was_handled(libleak_config.signal)))
        libleak_config.signal = 0;
    dumper_wanted = libleak_config.signal || libleak_config.interval || watch_period_millis() ||
                    libleak_config.check_signal;
    if (dumper_wanted)
        start_dumper();
    if (dumper_running && libleak_config.signal)
        install_signal_handler();
    if (dumper_running && libleak_config.check_signal)
        install_check_handler();
}

/* The child has only the forking thread: requests made to the parent are the parent's, and
   the child has no dumper thread yet. */
void libleak_dumper_after_fork_in_child(void)
{
    pthread_mutex_init(&dumper_control, NULL);
    sem_init(&wakeup, 0, 0);
    dumper_process = getpid();
    paused = 0;
    dumper_running = false;
    if (dumper_wanted)
        start_dumper();
}
