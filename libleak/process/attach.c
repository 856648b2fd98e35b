/*
 * attach — libleak.so loaded into a running process by `libleak -p PID` (docs/ATTACH.md).
 *
 * The wrapper makes one thread of the process call dlopen on us, then libleak_attach_start
 * with its settings (tools/launcher/attach.c). Loaded that way we are not in the global scope:
 * the program's calls of malloc still bind to its allocator. So the constructor, seeing that
 * the global scope does not hold us, does nothing at all, and libleak_attach_start does
 * what it would have done (lifecycle.c), with the settings in place of the environment
 * (core/settings.c) and the program's allocator as the real one (alloc/real.c), then rewrites
 * the slots that the program's modules call the malloc family, operator new and delete and
 * dlopen through (relocation_slots.c) to point at our hooks. Each slot's old value is kept;
 * --detach puts them back. libc and ld.so are left alone (their own internal calls, strdup's
 * malloc among them, are not seen: a difference from LD_PRELOAD), and so is libleak.so.
 *
 * A block allocated before the attach is in no table: its free and realloc find nothing in the
 * live filter and go straight to the real allocator, as every unsampled block's do.
 *
 * Modules loaded later: the program's dlopen slots point at attached_dlopen, which patches the
 * new modules after the real dlopen returns. That dlopen is called from our frame, so a library
 * loaded by a bare name with the caller's RUNPATH, or with $ORIGIN, is searched for as if
 * libleak.so had asked (deepbind.c explains why; a limit written down in docs/ATTACH.md).
 *
 * The snapshot signal: if the program has a handler of its own for it, ours is not installed
 * and the wrapper's --dump is the way (libleak_attach_command("dump") wakes the dumper thread).
 * --detach restores every slot, ends the dumper thread, restores the signal's default action
 * if the handler was ours; the library stays loaded and idle, and a later attach starts it
 * again (with the first attach's rate: the tables are made once).
 */
#include "process/attach.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alloc/real.h"
#include "alloc/thread.h"
#include "core/config.h"
#include "core/export.h"
#include "core/log.h"
#include "core/settings.h"
#include "dump/dump.h"
#include "dump/dumper_thread.h"
#include "process/relocation_slots.h"

/* The names whose slots are repointed: the malloc family, every operator new and delete of
   cxx_hooks.c, and dlopen. */
static const char *const names[] = {
        "malloc", "free", "calloc", "realloc", "reallocarray", "memalign", "posix_memalign", "aligned_alloc",
        "valloc", "pvalloc", "malloc_usable_size", "_Znwm", "_Znam", "_ZnwmRKSt9nothrow_t", "_ZnamRKSt9nothrow_t",
        "_ZnwmSt11align_val_t", "_ZnamSt11align_val_t", "_ZnwmSt11align_val_tRKSt9nothrow_t",
        "_ZnamSt11align_val_tRKSt9nothrow_t", "_ZdlPv", "_ZdaPv", "_ZdlPvm", "_ZdaPvm", "_ZdlPvRKSt9nothrow_t",
        "_ZdaPvRKSt9nothrow_t", "_ZdlPvSt11align_val_t", "_ZdaPvSt11align_val_t", "_ZdlPvmSt11align_val_t",
        "_ZdaPvmSt11align_val_t", "_ZdlPvSt11align_val_tRKSt9nothrow_t", "_ZdaPvSt11align_val_tRKSt9nothrow_t",
        "dlopen",
};
#define NAMES (sizeof names / sizeof names[0])

/* A slot we rewrote and what it held. */
struct saved_slot {
    uintptr_t *slot;
    uintptr_t value;
};

#define SAVED_CAPACITY 8192

/* attach_lock serialises start, commands and the patching after a dlopen. */
static pthread_mutex_t attach_lock = PTHREAD_MUTEX_INITIALIZER;
static struct saved_slot saved[SAVED_CAPACITY];
static size_t saved_count, saved_dropped;
static uintptr_t hooks[NAMES];
static const char *own_file; /* our dl_phdr_info name, to skip ourselves */
static void *(*program_dlopen)(const char *, int);
static int late = -1; /* -1 not asked yet */
static _Atomic bool attached;
static bool started, signal_ours;
static struct sigaction our_action;

static int own_anchor;

/* Preloaded (or linked), we are in the global scope, which the main program's handle
   searches; the wrapper's dlopen (RTLD_LOCAL) leaves us out of it. (RTLD_DEFAULT would search
   our own scope too, and asking whose malloc the global scope has would mistake a preload into
   a program that defines its own malloc for an attach.) */
bool libleak_attach_loaded_late(void)
{
    if (late < 0) {
        void *program = dlopen(NULL, RTLD_NOW);
        late = program && dlsym(program, "libleak_attach_start") == NULL;
    }
    return late == 1;
}

bool libleak_attach_idle(void)
{
    return late == 1 && !atomic_load(&attached);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* libleak.so itself, libc and the loader keep their slots. */
static bool keeps_its_slots(const struct dl_phdr_info *info)
{
    const char *name = info->dlpi_name ? info->dlpi_name : "";
    if (own_file && strcmp(name, own_file) == 0)
        return true;
    const char *base = base_name(name);
    return strncmp(base, "libc.so", 7) == 0 || strncmp(base, "ld-linux", 8) == 0 || strncmp(base, "ld-", 3) == 0;
}

static void patch_slot(const struct dl_phdr_info *info, uintptr_t *slot, const char *name, bool jump_slot, void *context)
{
    (void)jump_slot, (void)context;
    size_t which = 0;
    while (which < NAMES && strcmp(name, names[which]) != 0)
        which++;
    if (which == NAMES || !hooks[which])
        return;
    uintptr_t value = atomic_load_explicit((_Atomic uintptr_t *)slot, memory_order_relaxed);
    if (value == hooks[which])
        return; /* patched already (a walk after a dlopen visits every module again) */
    if (saved_count == SAVED_CAPACITY) {
        saved_dropped++;
        return;
    }
    saved[saved_count++] = (struct saved_slot){slot, value};
    libleak_relocation_slot_store(info, slot, hooks[which]);
}

static int patch_object(struct dl_phdr_info *info, size_t size, void *unused)
{
    (void)size, (void)unused;
    if (!keeps_its_slots(info))
        libleak_relocation_slots_visit(info, patch_slot, NULL);
    return 0;
}

static void restore_slot(const struct dl_phdr_info *info, uintptr_t *slot, const char *name, bool jump_slot,
                         void *context)
{
    (void)name, (void)jump_slot, (void)context;
    for (size_t i = 0; i < saved_count; i++)
        if (saved[i].slot == slot) {
            libleak_relocation_slot_store(info, slot, saved[i].value);
            saved[i].slot = NULL;
        }
}

static int restore_object(struct dl_phdr_info *info, size_t size, void *unused)
{
    (void)size, (void)unused;
    if (!keeps_its_slots(info))
        libleak_relocation_slots_visit(info, restore_slot, NULL);
    return 0;
}

/* The program's dlopen while attached: the new modules' slots are repointed too. */
static void *attached_dlopen(const char *file, int mode)
{
    void *handle = program_dlopen(file, mode);
    if (handle && atomic_load(&attached)) {
        int saved_errno = errno;
        pthread_mutex_lock(&attach_lock);
        if (atomic_load(&attached))
            dl_iterate_phdr(patch_object, NULL);
        pthread_mutex_unlock(&attach_lock);
        errno = saved_errno;
    }
    return handle;
}

/* Our hooks' addresses, looked up in our own object (our exported names are not in the global
   scope, and a reference from our code would bind to the program's functions). */
static bool find_hooks(void)
{
    Dl_info ours;
    if (!dladdr(&own_anchor, &ours) || !ours.dli_fname)
        return false;
    own_file = ours.dli_fname;
    void *self = dlopen(ours.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    if (!self)
        return false;
    for (size_t i = 0; i < NAMES; i++)
        hooks[i] = strcmp(names[i], "dlopen") == 0 ? (uintptr_t)attached_dlopen : (uintptr_t)dlsym(self, names[i]);
    dlclose(self); /* the handle only: -z nodelete keeps us */
    program_dlopen = (void *(*)(const char *, int))dlsym(RTLD_DEFAULT, "dlopen");
    if (!program_dlopen)
        hooks[NAMES - 1] = 0;
    return hooks[0] != 0;
}

/* The snapshot signal is ours only where the program left it at its default action. */
static bool snapshot_signal_free(void)
{
    struct sigaction current;
    return libleak_config.signal && sigaction(libleak_config.signal, NULL, &current) == 0 &&
           current.sa_handler == SIG_DFL && !(current.sa_flags & SA_SIGINFO);
}

static int start(const char *settings)
{
    char note[160], when[40];
    time_t now = time(NULL);
    struct tm utc;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &utc));
    snprintf(note, sizeof note, "allocations since the attach at %s (earlier blocks are not counted)", when);
    if (!libleak_settings_replace(settings, note) || libleak_setting("LIBLEAK_CHECK"))
        return LIBLEAK_ATTACH_REFUSED;
    bool signal_free = true;
    if (!started) {
        if (!find_hooks())
            return LIBLEAK_ATTACH_CANNOT_START;
        libleak_real_from_global_scope();
        if (!libleak_lifecycle_start())
            return LIBLEAK_ATTACH_CANNOT_START;
        /* The dumper leaves a signal the program handles to the program (dumper_thread.c). */
        signal_free = libleak_config.signal != 0;
        started = true;
    } else {
        libleak_dump_resume_dumper();
        if (signal_ours) {
            signal_free = snapshot_signal_free();
            if (signal_free)
                sigaction(libleak_config.signal, &our_action, NULL);
        }
    }
    struct sigaction current;
    if (!signal_ours && signal_free && libleak_config.signal &&
        sigaction(libleak_config.signal, NULL, &current) == 0 && current.sa_handler != SIG_DFL) {
        signal_ours = true;
        our_action = current;
    }
    saved_count = saved_dropped = 0;
    dl_iterate_phdr(patch_object, NULL);
    if (saved_dropped)
        libleak_log("attach: %zu slots left unpatched (more than %d)", saved_dropped, SAVED_CAPACITY);
    atomic_store(&attached, true);
    return signal_free ? LIBLEAK_ATTACH_DONE : LIBLEAK_ATTACH_DONE_NO_SIGNAL;
}

/* The start runs on a thread of ours, so that the borrowed thread is held only for dlopen:
   the constructor's work and the patching took it 15 to 60 ms more. Its answer is left here,
   where the wrapper reads it from outside (LIBLEAK_ATTACH_STARTING until then). */
EXPORT volatile int libleak_attach_state;
static char pending_settings[8192]; /* what start reads, copied from the borrowed thread's stack */
static bool starting;

static void *starter_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&attach_lock);
    int answer = start(pending_settings);
    starting = false;
    pthread_mutex_unlock(&attach_lock);
    __atomic_store_n(&libleak_attach_state, answer, __ATOMIC_RELEASE);
    return NULL;
}

/* Starts the starter thread (every signal blocked in it, detached). False if it cannot be. */
static bool start_starter(void)
{
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t starter;
    int error = pthread_create(&starter, &attributes, starter_main, NULL);
    pthread_attr_destroy(&attributes);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    return error == 0;
}

EXPORT int libleak_attach_start(const char *settings)
{
    if (!libleak_attach_loaded_late())
        return LIBLEAK_ATTACH_PRELOADED;
    int saved_errno = errno, answer;
    pthread_mutex_lock(&attach_lock);
    if (atomic_load(&attached) || starting) {
        answer = LIBLEAK_ATTACH_ALREADY;
    } else if (!settings || strlen(settings) >= sizeof pending_settings) {
        answer = LIBLEAK_ATTACH_REFUSED;
    } else {
        strcpy(pending_settings, settings);
        __atomic_store_n(&libleak_attach_state, LIBLEAK_ATTACH_STARTING, __ATOMIC_RELEASE);
        starting = true;
        if (start_starter()) {
            answer = LIBLEAK_ATTACH_STARTING;
        } else { /* no thread to spare: on this one */
            starting = false;
            answer = start(pending_settings);
            __atomic_store_n(&libleak_attach_state, answer, __ATOMIC_RELEASE);
        }
    }
    pthread_mutex_unlock(&attach_lock);
    errno = saved_errno;
    return answer;
}

static int detach(void)
{
    atomic_store(&attached, false);
    dl_iterate_phdr(restore_object, NULL);
    saved_count = 0;
    if (signal_ours && libleak_config.signal) {
        struct sigaction default_action;
        memset(&default_action, 0, sizeof default_action);
        default_action.sa_handler = SIG_DFL;
        sigaction(libleak_config.signal, &default_action, NULL);
    }
    libleak_dump_pause_dumper();
    return LIBLEAK_ATTACH_DONE;
}

EXPORT int libleak_attach_command(const char *command)
{
    if (!libleak_attach_loaded_late())
        return LIBLEAK_ATTACH_PRELOADED;
    int saved_errno = errno, answer;
    pthread_mutex_lock(&attach_lock);
    if (!atomic_load(&attached))
        answer = LIBLEAK_ATTACH_NOT_ATTACHED;
    else if (strcmp(command, "dump") == 0)
        answer = libleak_dumper_request() || libleak_dump_now(NULL) == 0 ? LIBLEAK_ATTACH_DONE
                                                                         : LIBLEAK_ATTACH_CANNOT_START;
    else if (strcmp(command, "detach") == 0)
        answer = detach();
    else
        answer = LIBLEAK_ATTACH_REFUSED;
    pthread_mutex_unlock(&attach_lock);
    errno = saved_errno;
    return answer;
}
