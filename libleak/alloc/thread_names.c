/*
 * thread_names — interned thread names, each thread's cached id, and the interposed calls that
 * rename threads; see thread_names.h.
 *
 * The table is append-only: a slot is claimed with one atomic add and published once its text
 * is written. Two threads interning the same new name at once may both add it: the profile then
 * has two samples with the same label, which pprof merges. Nothing is ever removed, so a name id
 * in a stack record stays valid for good.
 *
 * The sampling path makes no system call for a name (seccomp filters of the program allow what
 * malloc uses and little else: tests/programs/seccomp_malloc.c), so names are learnt where they
 * are given: a thread that renames itself (prctl(PR_SET_NAME), pthread_setname_np on itself)
 * sets its own cached id; a rename of another thread is left in a small table keyed by its
 * pthread_t, which that thread takes at its next sample; a thread never renamed carries the
 * name it inherited from its creator, taken to be the main thread's (read once at load, kept up
 * to date when the main thread renames itself). Not seen: names written straight to
 * /proc/self/task/TID/comm, and a thread made by a renamed thread other than main (it is
 * labelled with main's name, not its creator's).
 *
 * LIBLEAK_THREAD_FOLD (on by default) folds the trailing digits of a name into '*', so that a
 * pool of worker-0 ... worker-63 is one name, "worker-*", and one stack record per stack rather
 * than 64.
 */
#include "alloc/thread_names.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "core/config.h"
#include "core/export.h"
#include "alloc/thread.h"

#define NAME_BYTES 24 /* 15 characters (the kernel's limit), a '*', the end */

enum { EMPTY, READY };

static struct {
    _Atomic int state;
    char text[NAME_BYTES];
} names[LIBLEAK_THREAD_NAMES_MAX] = {[LIBLEAK_THREAD_NAME_OTHER] = {READY, "other"}};

static _Atomic uint32_t name_count = LIBLEAK_THREAD_NAME_OTHER + 1;
static _Atomic uint64_t folded_names;
/* Bumped by every rename of another thread: a thread whose cached generation differs looks for
   its pthread_t in `renames`. Starts at 1: a thread's 0 means "never looked". */
static _Atomic uint32_t rename_generation = 1;
/* The name a thread never renamed carries: the main thread's (thread_names.h). */
static _Atomic uint32_t inherited_name = LIBLEAK_THREAD_NAME_OTHER;

#define RENAMES 256
static struct {
    _Atomic uintptr_t thread; /* a pthread_t renamed by another thread; 0: free */
    _Atomic uint32_t name;
} renames[RENAMES];

typedef int (*prctl_function)(int, unsigned long, unsigned long, unsigned long, unsigned long);
typedef int (*setname_function)(pthread_t, const char *);

/* The next definitions in line, looked up on first use (another library's constructor may
   rename a thread before ours has run). */
static void *find_next(_Atomic(void *) *cache, const char *name)
{
    void *next = atomic_load_explicit(cache, memory_order_relaxed);
    if (!next) {
        next = dlsym(RTLD_NEXT, name);
        atomic_store_explicit(cache, next, memory_order_relaxed);
    }
    return next;
}

static _Atomic(void *) next_prctl, next_setname;

/* `name` as the profile shows it: at most 15 characters, trailing digits folded when asked. */
static void shown_name(const char *name, char shown[NAME_BYTES])
{
    size_t length = strnlen(name, 15);
    memcpy(shown, name, length);
    size_t kept = length;
    if (libleak_config.thread_fold)
        while (kept > 0 && shown[kept - 1] >= '0' && shown[kept - 1] <= '9')
            kept--;
    if (kept < length && kept > 0)
        shown[kept++] = '*';
    else
        kept = length; /* no digits at the end, or nothing but digits: kept as it is */
    shown[kept] = '\0';
}

static uint32_t intern(const char *name)
{
    char shown[NAME_BYTES];
    shown_name(name, shown);
    uint32_t count = atomic_load_explicit(&name_count, memory_order_acquire);
    if (count > LIBLEAK_THREAD_NAMES_MAX)
        count = LIBLEAK_THREAD_NAMES_MAX;
    for (uint32_t id = LIBLEAK_THREAD_NAME_OTHER + 1; id < count; id++)
        if (atomic_load_explicit(&names[id].state, memory_order_acquire) == READY &&
            strcmp(names[id].text, shown) == 0)
            return id;
    uint32_t id = atomic_fetch_add_explicit(&name_count, 1, memory_order_relaxed);
    if (id >= LIBLEAK_THREAD_NAMES_MAX) {
        atomic_fetch_add_explicit(&folded_names, 1, memory_order_relaxed);
        return LIBLEAK_THREAD_NAME_OTHER;
    }
    memcpy(names[id].text, shown, sizeof shown);
    atomic_store_explicit(&names[id].state, READY, memory_order_release);
    return id;
}

uint32_t libleak_thread_name_current(void)
{
    struct libleak_thread *self = &libleak_thread;
    uint32_t generation = atomic_load_explicit(&rename_generation, memory_order_acquire);
    if (self->name_generation == generation)
        return self->name_id;
    if (self->name_generation == 0)
        self->name_id = atomic_load_explicit(&inherited_name, memory_order_relaxed);
    uintptr_t me = (uintptr_t)pthread_self();
    for (int i = 0; i < RENAMES; i++) {
        uintptr_t expected = me;
        uint32_t name = atomic_load_explicit(&renames[i].name, memory_order_acquire);
        if (atomic_load_explicit(&renames[i].thread, memory_order_relaxed) == me &&
            atomic_compare_exchange_strong(&renames[i].thread, &expected, 0)) {
            self->name_id = name; /* taken: a later thread with the same pthread_t is not named by it */
            break;
        }
    }
    self->name_generation = generation;
    return self->name_id;
}

/* At load, before any sample: the main thread's name, which threads inherit. One prctl, where
   the program makes no call of its own yet. */
__attribute__((constructor(102))) static void read_main_name(void)
{
    char name[17] = "";
    prctl_function next = (prctl_function)find_next(&next_prctl, "prctl");
    if (next && next(PR_GET_NAME, (unsigned long)name, 0, 0, 0) == 0)
        atomic_store(&inherited_name, intern(name));
}

const char *libleak_thread_name(uint32_t id)
{
    if (id >= LIBLEAK_THREAD_NAMES_MAX || atomic_load_explicit(&names[id].state, memory_order_acquire) != READY)
        id = LIBLEAK_THREAD_NAME_OTHER;
    return names[id].text;
}

uint64_t libleak_thread_names_folded(void)
{
    return atomic_load(&folded_names);
}

/* After a successful rename of `thread` (this one, or another, which takes its new name from
   `renames` at its next sample). When the main thread renames itself, the threads it makes from
   now on inherit the new name. */
static void renamed(pthread_t thread, const char *name)
{
    int saved_errno = errno;
    uint32_t id = intern(name);
    if (pthread_equal(thread, pthread_self())) {
        libleak_thread.name_id = id;
        if (libleak_thread.name_generation == 0)
            libleak_thread.name_generation = atomic_load(&rename_generation);
        if (getpid() == gettid())
            atomic_store(&inherited_name, id);
    } else {
        for (int i = 0; i < RENAMES; i++) {
            uintptr_t seen = atomic_load(&renames[i].thread);
            if (seen != (uintptr_t)thread &&
                (seen != 0 || !atomic_compare_exchange_strong(&renames[i].thread, &seen, (uintptr_t)thread)))
                continue;
            atomic_store(&renames[i].name, id);
            atomic_fetch_add(&rename_generation, 1);
            break; /* table full: the thread keeps the name it had in its samples */
        }
    }
    errno = saved_errno;
}

EXPORT int pthread_setname_np(pthread_t thread, const char *name)
{
    setname_function next = (setname_function)find_next(&next_setname, "pthread_setname_np");
    if (!next)
        return ENOSYS;
    int result = next(thread, name);
    if (result == 0)
        renamed(thread, name);
    return result;
}

/* Four arguments are read whatever the option takes, as glibc's own prctl does: registers that
   are always there. */
EXPORT int prctl(int option, ...)
{
    va_list list;
    va_start(list, option);
    unsigned long a[4];
    for (int i = 0; i < 4; i++)
        a[i] = va_arg(list, unsigned long);
    va_end(list);
    prctl_function next = (prctl_function)find_next(&next_prctl, "prctl");
    if (!next) {
        errno = ENOSYS;
        return -1;
    }
    int result = next(option, a[0], a[1], a[2], a[3]);
    if (option == PR_SET_NAME && result == 0)
        renamed(pthread_self(), (const char *)a[0]);
    return result;
}
