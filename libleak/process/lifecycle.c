/*
 * lifecycle — start, fork and exit.
 *
 * The constructor runs early (libleak.so is preloaded, so only its own dependencies start
 * before it), with the "inside" flag set so that nothing it allocates is tracked. Until it has
 * finished, the slow path only asks to be called again (track.c). The destructor writes the
 * exit profile; it runs after the program's own destructors and atexit handlers, because the
 * program was started after us. quick_exit runs neither: it runs the at_quick_exit handlers
 * and calls _exit. The constructor registers one, which runs after every handler of the
 * program (they run in reverse order of registration), and it does what the destructor does,
 * without the stdio flush that quick_exit does not make. _exit and death by a signal end the
 * process without either: nothing is written, nothing checked (docs/GATE.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#include "core/config.h"
#include "dump/dump.h"
#include "core/export.h"
#include "os/libc.h"
#include "gate/check.h"
#include "gate/exit_status.h"
#include "gate/gate.h"
#include "alloc/live.h"
#include "alloc/own_stack.h"
#include "alloc/peak_counters.h"
#include "core/log.h"
#include "alloc/real.h"
#include "alloc/stacks.h"
#include "alloc/unwind.h"
#include "alloc/thread.h"
#include "alloc/track.h"
#include "dump/growth_snapshots.h"
#include "dump/kept_files.h"
#include "dump/near_limit.h"
#include "dump/peak.h"
#include "dump/watch.h"
#include "process/attach.h"
#include "process/exit_sequence.h"

static void stay_passive(void)
{
    libleak_passive = true;
    libleak_config.rate = 0;
    atomic_store_explicit(&libleak_ready, true, memory_order_release);
}

/*
 * fork. The lock of the kept files is held across it, so that the list is not half changed
 * in the child. The child then forgets what was its parent's (snapshots, peak,
 * growth, near-limit steps) before it gets a dumper of its own, which polls that state at once.
 * (live.c and modules.c register handlers of their own.) The handlers keep errno: the program
 * goes on from fork().
 */
static void before_fork(void)
{
    int saved_errno = errno;
    libleak_kept_files_before_fork();
    errno = saved_errno;
}

static void after_fork_in_parent(void)
{
    int saved_errno = errno;
    libleak_kept_files_after_fork_in_parent();
    errno = saved_errno;
}

static void after_fork_in_child(void)
{
    int saved_errno = errno;
    libleak_peak_reset();
    libleak_kept_files_after_fork_in_child();
    libleak_growth_snapshots_after_fork_in_child();
    libleak_near_limit_after_fork_in_child();
    libleak_dump_after_fork_in_child();
    libleak_check_after_fork_in_child();
    errno = saved_errno;
}

static void at_quick_exit_handler(void);

/* An entry point (hooks.c's errno rule): main finds errno as it would bare, whatever the
   probes below left in it (the cgroup probe's access() left ENOENT). */
__attribute__((constructor(101))) static void libleak_start(void)
{
    int saved_errno = errno;
    if (!libleak_attach_loaded_late()) /* loaded by an attach: nothing until it says so */
        libleak_lifecycle_start();
    errno = saved_errno;
}

bool libleak_lifecycle_start(void)
{
    /* Resolve before entering: a parked countdown sends allocations straight to the real
       functions (hooks.c), so they must be known first; dlsym's own calloc still finds this
       thread's countdown negative and is served from the bootstrap buffer. */
    libleak_real_resolve();
    libleak_enter();
    libleak_exit_sequence_init();
    libleak_log_init();
    if (getauxval(AT_SECURE)) { /* setuid/setgid: read no environment, write nothing */
        stay_passive();
        libleak_leave();
        return false;
    }
    libleak_config_load();

    libleak_unwind_init();
    libleak_libc_init((const void *)libleak_real.malloc);
    libleak_gate_init();

    if (libleak_config.rate != 0 && !libleak_stacks_init(libleak_config.max_stacks)) {
        libleak_log("cannot reserve the stack table within LIBLEAK_MAX_MEMORY=%llu; tracking is off",
                    (unsigned long long)libleak_config.max_memory);
        libleak_config.rate = 0;
    }
    if (libleak_config.rate == 1)
        libleak_live_filter_saturate();
    if (libleak_config.rate != 0 && libleak_config.peak != LIBLEAK_PEAK_OFF &&
        !libleak_peak_counters_init(libleak_config.max_stacks))
        libleak_log("cannot reserve the peak's counters within LIBLEAK_MAX_MEMORY=%llu; LIBLEAK_PEAK is off",
                    (unsigned long long)libleak_config.max_memory);
    libleak_watch_init();
    libleak_namespaces_init();
    libleak_dump_init();
    pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
    at_quick_exit(at_quick_exit_handler);
    atomic_store_explicit(&libleak_ready, true, memory_order_release);
    libleak_leave();
    return true;
}

/* The next definition of an exit function (glibc's), resolved once. */
static void *next_exit_function(void **cache, const char *name)
{
    if (!*cache && libleak_real_resolve()) {
        libleak_enter(); /* dlsym allocates: not the program's allocation */
        *cache = libleak_real_next(name);
        libleak_leave();
    }
    return *cache;
}

/* exit(), as glibc's, after waiting while our exit sequence runs on another thread
   (exit_sequence.c: exit() from several threads at once). */
EXPORT __attribute__((noreturn)) void exit(int status)
{
    static void *next;
    libleak_exit_sequence_wait();
    void (*next_exit)(int) = (void (*)(int))next_exit_function(&next, "exit");
    if (next_exit)
        next_exit(status);
    _exit(status);
}

/* quick_exit(), as glibc's; the status is kept for the gate's verdict (exit() hands it to
   on_exit handlers, quick_exit to none). */
EXPORT __attribute__((noreturn)) void quick_exit(int status)
{
    static void *next;
    libleak_exit_sequence_wait();
    libleak_exit_status_record(status);
    void (*next_quick_exit)(int) = (void (*)(int))next_exit_function(&next, "quick_exit");
    if (next_quick_exit)
        next_quick_exit(status);
    _exit(status);
}

/* The exit's work, on the library's stack: the exiting thread may be on an 8 KiB alternate
   signal stack or a 16 KiB thread stack, and libunwind's walk to exit()'s caller, the scan and
   the report's naming go deep (altstack_exit_leak). */
struct stop_call {
    ucontext_t *registers;
    bool flush_stdio;
};

static void stop_on_own_stack(void *context)
{
    struct stop_call *call = context;
    libleak_watch_at_exit();
    libleak_gate_scan(call->registers, (uintptr_t)call->registers);
    libleak_dump_at_exit();
    libleak_gate_finish(call->flush_stdio);
}

/* The end of the process: the peak profile, the leak gate's scan, the exit profile, the
   verdict. flush_stdio: what the gate does before ending a failing process with its own
   status (exit() flushes stdio after the destructors; quick_exit never does). */
static __attribute__((noinline)) void finish_process(bool flush_stdio)
{
    if (libleak_attach_idle())
        return;
    libleak_exit_sequence_begin();
    /* The leak gate scans this thread's stack from here up: the frames below are libleak's.
       getcontext puts the registers the program may still hold pointers in on that stack. */
    ucontext_t registers;
    getcontext(&registers);
    struct stop_call call = {&registers, flush_stdio};
    libleak_on_own_stack(stop_on_own_stack, &call);
    libleak_exit_sequence_end();
}

__attribute__((destructor)) static void libleak_stop(void)
{
    finish_process(true);
}

/* Registered by the constructor: the last at_quick_exit handler to run. */
static void at_quick_exit_handler(void)
{
    finish_process(false);
}
