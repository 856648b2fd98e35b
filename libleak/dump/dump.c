/*
 * dump — writing profiles without disturbing the program: the dump lock, the sequence of
 * snapshot names, the exit profile, and libleak_dump(). Who asks for a dump lives in
 * dumper_thread.c (the snapshot signal, LIBLEAK_INTERVAL, the watch); where and how a file is
 * written, in output_file.c. Dumps are serialised by one mutex, taken only by dumpers, never
 * on the allocation path and never by fork.
 *
 * Locks and the loader. fork does not wait for a dump: a dump can last seconds, and a fork
 * from code that holds the loader's lock (a dlopen'ed constructor) would deadlock against a
 * dump waiting for that lock. Instead the fork child knows whether a dump was in progress and
 * then drops the half-updated symbol state (libleak_symbols_abandon). The dump takes the
 * loader's locks only through dlsym (the demangler) and dl_iterate_phdr (a copy of the
 * module list), and both happen before the dump lock is taken (libleak_symbols_prepare): no
 * lock of ours is held while a loader lock is taken, so a program may even call libleak_dump
 * from its own dl_iterate_phdr callback.
 *
 * Files appear whole or not at all (output_file.c). Profiles are created with LIBLEAK_MODE
 * (default 0600, as core files: they show the memory layout and paths of the process). Every
 * descriptor is >= 3 (descriptors.h).
 */
#include "dump/dump.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "alloc/memory.h"
#include "alloc/own_stack.h"
#include "alloc/thread.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/export.h"
#include "core/log.h"
#include "dump/ages.h"
#include "dump/dumper_thread.h"
#include "dump/mappings.h"
#include "dump/output_file.h"
#include "dump/profile_writer.h"
#include "dump/symbols.h"
#include "dump/watch.h"
#include "os/descriptors.h"

bool libleak_passive;

static pthread_mutex_t dump_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool dump_in_progress;    /* set while dump_lock is held: tells a fork child */
static struct libleak_plugs dump_plugs; /* under dump_lock: the standard numbers a dump holds */
static unsigned sequence; /* under dump_lock */
static bool exiting;      /* under dump_lock: the exit profile is written, no more dumps */
static int64_t start_nanos;

void libleak_dump_init(void)
{
    /* At start, while the address space has room (RLIMIT_AS counts what is mapped). */
    libleak_own_stack_reserve();
    libleak_arena_reserve();
    start_nanos = libleak_wall_nanos();
    libleak_output_init();
    libleak_dumper_init();
}

/* Everything a dump (or the watch's work on the symbolizer) does around its work: what takes
   the loader's lock first, then our lock, and fork children told (dump_in_progress). open and
   write are cancellation points: a thread cancelled there would die holding dump_lock, and every
   later dump (the exit profile too) would wait forever. Returns the cancel state to restore. */
static int begin_dump(void)
{
    int cancel_state;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    libleak_enter();
    libleak_symbols_prepare(libleak_config.symbolize); /* the loader's lock, before ours */
    pthread_mutex_lock(&dump_lock);
    atomic_store(&dump_in_progress, true);
    libleak_plug_standard(&dump_plugs); /* descriptors.c: libdw's and glibc's opens in the dump */
    return cancel_state;
}

static void end_dump(int cancel_state)
{
    libleak_unplug_standard(&dump_plugs);
    atomic_store(&dump_in_progress, false);
    pthread_mutex_unlock(&dump_lock);
    libleak_symbols_release_prepared();
    libleak_leave();
    pthread_setcancelstate(cancel_state, NULL);
}

/* Writes one profile: to path, or to the name LIBLEAK_OUT gives with %n = special (or the next
   sequence number when special is NULL). Runs on the library's own stack (dump below). */
static int write_dump(const char *path, const char *special, const struct libleak_profile_source *source,
                      const char *const *comments, bool exit_profile)
{
    if (libleak_passive) {
        errno = EPERM;
        return -1;
    }
    int cancel_state = begin_dump();
    char name[PATH_MAX] = "";
    int result = -1;
    if (exiting) {
        /* A snapshot requested while the program exits: exit_group could end it half
           written. The exit profile (if any) already has everything. */
        end_dump(cancel_state);
        errno = ESHUTDOWN;
        return -1;
    }
    char sequence_text[32];
    if (special)
        snprintf(sequence_text, sizeof sequence_text, "%s", special);
    else
        snprintf(sequence_text, sizeof sequence_text, "%04u", sequence + 1);
    if (path) {
        result = snprintf(name, sizeof name, "%s", path) < (int)sizeof name ? 0 : -1;
        if (result)
            errno = ENAMETOOLONG;
    } else if (special ? libleak_output_special_name(name, sizeof name, special)
                       : libleak_output_numbered_name(name, sizeof name, sequence_text, sizeof sequence_text,
                                                      &sequence)) {
        result = 0;
    } else {
        errno = ENAMETOOLONG;
    }
    if (result == 0) {
        struct libleak_profile_request request = {.start_nanos = start_nanos,
                                                  .symbolize = libleak_config.symbolize,
                                                  .source = source,
                                                  .empty_when_nothing_sampled = exit_profile};
        for (int i = 0; comments && comments[i] && i < LIBLEAK_PROFILE_EXTRA_COMMENTS; i++)
            request.extra_comments[i] = comments[i];
        result = libleak_output_write(name, &request);
    }
    int saved_errno = errno;
    end_dump(cancel_state);
    libleak_enter(); /* the watch's bookkeeping is ours, outside the dump lock */
    if (result != 0)
        libleak_log("cannot write profile %s: %s", name, strerror(saved_errno));
    else if (!special)
        libleak_watch_snapshot_written(path ? NULL : name, sequence_text);
    else
        libleak_watch_special_written(name, special);
    libleak_leave();
    errno = saved_errno;
    return result;
}

struct dump_call {
    const char *path, *special;
    const struct libleak_profile_source *source;
    const char *const *comments;
    bool exit_profile;
    int result, saved_errno;
};

static void dump_on_own_stack(void *context)
{
    struct dump_call *call = context;
    call->result = write_dump(call->path, call->special, call->source, call->comments, call->exit_profile);
    call->saved_errno = errno;
}

/* A dump names with libdw (~150 KB of stack for a line table), compresses and builds paths:
   never on the program's stack, which may be 16 KiB (own_stack.h). */
static int dump(const char *path, const char *special, const struct libleak_profile_source *source,
                const char *const *comments, bool exit_profile)
{
    struct dump_call call = {path, special, source, comments, exit_profile, -1, 0};
    libleak_on_own_stack(dump_on_own_stack, &call);
    errno = call.saved_errno;
    return call.result;
}

int libleak_dump_now(const char *path)
{
    return dump(path, NULL, libleak_ages_source(), NULL, false);
}

int libleak_dump_special(const char *special, const struct libleak_profile_source *source,
                         const char *const *comments)
{
    return dump(NULL, special, source, comments, false);
}

/* The watch's work on the symbolizer (warming its cache) is a dump as far as locks, the loader
   and fork are concerned: demangler first, then the lock, and a fork child knows. */
struct locked_work {
    void (*work)(void *context);
    void *context;
};

static void locked_work_on_own_stack(void *context)
{
    struct locked_work *locked = context;
    int cancel_state = begin_dump();
    if (!exiting)
        locked->work(locked->context);
    end_dump(cancel_state);
}

void libleak_dump_with_lock(void (*work)(void *context), void *context)
{
    struct locked_work locked = {work, context};
    libleak_on_own_stack(locked_work_on_own_stack, &locked);
}

void libleak_dump_at_exit(void)
{
    if (libleak_config.at_exit && libleak_config.rate != 0) { /* passive: rate is 0 */
        libleak_descriptors_copy_table(); /* the program's other threads may still run */
        dump(NULL, NULL, libleak_ages_source(), NULL, true);
    }
    /* Waits for a snapshot in progress, then refuses new ones. */
    libleak_enter();
    pthread_mutex_lock(&dump_lock);
    exiting = true;
    pthread_mutex_unlock(&dump_lock);
    libleak_leave();
}

/* No prepare handler: fork never waits for a dump (see the top of this file). The child has
   only the forking thread: a dump that was in progress on another one never finishes there,
   so its lock is made anew and its half-updated symbol state dropped. */
void libleak_dump_after_fork_in_child(void)
{
    int saved_errno = errno; /* the program goes on from fork() in the child */
    pthread_mutex_init(&dump_lock, NULL);
    libleak_arena_reserve_after_fork_in_child(atomic_load(&dump_in_progress));
    if (atomic_load(&dump_in_progress)) {
        libleak_symbols_abandon();
        libleak_unplug_standard(&dump_plugs); /* the child's standard numbers are its own */
        atomic_store(&dump_in_progress, false);
    }
    libleak_own_stack_after_fork_in_child();
    sequence = 0;
    start_nanos = libleak_wall_nanos();
    libleak_dumper_after_fork_in_child();
    errno = saved_errno;
}

/* libleak_dump() called by the program: the program's thread keeps the program's descriptor
   table, where another of its threads may close_range() our file and open one of its own on
   the number between our check and our write (descriptors.c). So the dump runs on a thread of
   ours, started for the call with a table of its own, while the caller waits; where no thread
   can be started (RLIMIT_NPROC, a sandbox), on the caller's thread with checked descriptors. */
struct dump_request {
    const char *path;
    void *prepared; /* symbols.h: what takes the loader's lock, done by the caller */
    int result, saved_errno;
};

static void *dump_thread_main(void *context)
{
    struct dump_request *request = context;
    libleak_enter();
    libleak_descriptors_own_table();
    libleak_symbols_adopt_prepared(request->prepared);
    request->result = libleak_dump_now(request->path);
    request->saved_errno = errno;
    libleak_leave();
    return NULL;
}

static bool dump_on_thread_of_ours(struct dump_request *request)
{
    sigset_t all, previous;
    sigfillset(&all); /* no signal of the program's lands on our thread */
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 128 * 1024); /* the dump itself runs on own_stack.h's */
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    libleak_enter(); /* what pthread_create and the preparation allocate are ours */
    request->prepared = libleak_symbols_prepare_to_hand_over(libleak_config.symbolize);
    pthread_t thread;
    int error = pthread_create(&thread, &attributes, dump_thread_main, request);
    if (error) /* back to this thread, whose own dump below replaces it */
        libleak_mappings_adopt_prepared(request->prepared);
    libleak_leave();
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    pthread_attr_destroy(&attributes);
    if (error)
        return false;
    int cancel_state; /* pthread_join is a cancellation point: not while our thread runs */
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    pthread_join(thread, NULL);
    pthread_setcancelstate(cancel_state, NULL);
    return true;
}

/* A cancellation point, like the open and write it makes, but acted on only once nothing of
   ours is held. */
EXPORT int libleak_dump(const char *path)
{
    struct dump_request request = {path, NULL, -1, 0};
    if (libleak_descriptors_private() || !dump_on_thread_of_ours(&request)) {
        request.result = libleak_dump_now(path);
        request.saved_errno = errno;
    }
    int result = request.result;
    int saved_errno = request.saved_errno;
    pthread_testcancel();
    errno = saved_errno;
    return result;
}

EXPORT unsigned long libleak_rate(void)
{
    return (unsigned long)libleak_config.rate; /* 0 when passive */
}
