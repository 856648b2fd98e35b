/*
 * exit_sequence — exit() from several threads at once, as glibc does it, without losing the
 * exit sequence (our destructor: the peak and exit profiles, the leak gate).
 *
 * glibc before 2.37 has no exit lock: every thread that calls exit() takes the exit handlers
 * one by one from the same list (atexit's, on_exit's, and the loader's finalizer _dl_fini,
 * which runs every ELF destructor, ours among them); a thread that finds the list empty
 * flushes stdio and calls _exit. Two traps follow:
 *
 * - A thread that finds the list empty while another is still inside _dl_fini ends the
 *   process under our destructor: the exit profile and the leak gate were lost, and a leaking
 *   test passed (gate_multi_exit).
 * - A second caller must not simply wait for the first: the first may be waiting for it. main's
 *   exit() runs an atexit handler that joins a worker, the worker calls exit(3): bare, the
 *   worker runs the handlers left (our destructor too), flushes stdout and ends the process
 *   with 3 (lib_exit_joins_exiting). Making the worker wait hung the program.
 *
 * So every caller goes into glibc's exit and takes handlers as glibc lets it; what we add is
 * at the bottom of the list. The constructor of a preloaded library runs before
 * __libc_start_main registers the loader's finalizer, so HOLDS handlers registered there
 * (hold_the_exit) are taken only after every handler above them, the finalizer included, has
 * been taken by some thread. A thread that takes one waits until the sequence has finished,
 * and first registers a new one in its place, so that the list does not run empty under the
 * next caller while it waits. Only when HOLDS threads are at once between glibc's taking a
 * handler and our registering its replacement (a few instructions, under glibc's lock) could
 * another find the list empty. A caller that arrives once the holds are reached, or while the
 * sequence runs, waits in exit() before going in (libleak_exit_sequence_wait).
 *
 * Waiting is safe once the sequence has begun: it waits for no thread of the program (the gate
 * stops them with a signal, which a futex wait takes and returns to). Before it begins, a hold
 * means the finalizer is running the program's own destructors first, and one of those could
 * be waiting for the very thread we hold (bare, that thread would have ended the process). So
 * that wait has a bound, GIVE_UP_SECONDS, after which the holds let everyone go as glibc would.
 * A library dlopened rather than preloaded registers no holds (loaded_before_libc). The
 * sequence's own thread is never held: a signal handler that calls exit() inside our
 * destructor goes on as it would bare.
 *
 * Everything is kept with the pid: a fork child inherits this memory and a vfork child shares
 * it, and a state of another process is stale. With glibc's exit lock (2.37 and later) a
 * second caller waits inside glibc, as it would bare; the holds then never see two threads.
 */
#include "process/exit_sequence.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define HOLDS           8
#define GIVE_UP_SECONDS 10

static _Atomic uint64_t runner;       /* pid << 32 | tid of the thread running the sequence */
static _Atomic int finished_pid;      /* futex word: the pid whose sequence has finished */
static _Atomic int holds_reached_pid; /* the pid in which a hold handler was taken */
static _Atomic int gave_up_pid;       /* the pid whose holds stopped waiting before a sequence began */

static uint64_t thread_id(void)
{
    return (uint64_t)(uint32_t)getpid() << 32 | (uint32_t)syscall(SYS_gettid);
}

static int64_t monotonic_nanos(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Sleeps until finished_pid changes from seen, a wake-up, a signal or 100 ms. */
static void doze(int seen)
{
    struct timespec slice = {0, 100 * 1000 * 1000};
    syscall(SYS_futex, &finished_pid, FUTEX_WAIT_PRIVATE, seen, &slice, NULL, 0);
}

enum wait_kind { NO_WAIT, WAIT_BOUNDED, WAIT };

/* Whether the calling thread must wait for the sequence of its process. */
static enum wait_kind wait_needed(void)
{
    int pid = getpid();
    if (atomic_load(&finished_pid) == pid)
        return NO_WAIT;
    uint64_t running = atomic_load(&runner);
    if (running == thread_id())
        return NO_WAIT; /* exit() from inside our own sequence (a signal handler) */
    if (running && (int)(running >> 32) == pid)
        return WAIT;
    if (atomic_load(&holds_reached_pid) == pid && atomic_load(&gave_up_pid) != pid)
        return WAIT_BOUNDED;
    return NO_WAIT;
}

/* Waits until the sequence of this process has finished; before it has begun, at most
   GIVE_UP_SECONDS, after which no hold of this process waits for a sequence not begun. */
static void wait_for_sequence(void)
{
    int pid = getpid();
    int64_t give_up = monotonic_nanos() + (int64_t)GIVE_UP_SECONDS * 1000000000;
    for (;;) {
        int seen = atomic_load(&finished_pid);
        enum wait_kind kind = wait_needed();
        if (kind == NO_WAIT)
            return;
        if (kind == WAIT_BOUNDED && monotonic_nanos() >= give_up) {
            atomic_store(&gave_up_pid, pid);
            return;
        }
        doze(seen);
    }
}

/* An exit handler at the bottom of the list: every handler above it has been taken. */
static void hold_the_exit(int status, void *unused)
{
    (void)status;
    (void)unused;
    int saved_errno = errno;
    atomic_store(&holds_reached_pid, getpid());
    if (wait_needed() != NO_WAIT) {
        on_exit(hold_the_exit, NULL); /* the list must not run empty under the next caller */
        wait_for_sequence();
    }
    errno = saved_errno;
}

/* True when the library was loaded before libc (preloaded: LD_PRELOAD objects come right after
   the program in the loader's list): its constructor then runs before __libc_start_main
   registers the finalizer, and the holds sit below it. A library loaded later (dlopen) would
   put them above the finalizer, where they would wait for a sequence not begun: none then. */
static bool loaded_before_libc(void)
{
    Dl_info info;
    struct link_map *self = NULL;
    if (!dladdr1((void *)loaded_before_libc, &info, (void **)&self, RTLD_DL_LINKMAP) || !self)
        return false;
    for (struct link_map *map = self->l_prev; map; map = map->l_prev)
        if (map->l_name && strstr(map->l_name, "/libc.so"))
            return false;
    return true;
}

void libleak_exit_sequence_init(void)
{
    if (!loaded_before_libc())
        return;
    for (int i = 0; i < HOLDS; i++)
        on_exit(hold_the_exit, NULL);
}

void libleak_exit_sequence_begin(void)
{
    atomic_store(&runner, thread_id());
}

void libleak_exit_sequence_end(void)
{
    atomic_store(&finished_pid, getpid());
    syscall(SYS_futex, &finished_pid, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

void libleak_exit_sequence_wait(void)
{
    int saved_errno = errno;
    if (wait_needed() != NO_WAIT)
        wait_for_sequence();
    errno = saved_errno;
}
