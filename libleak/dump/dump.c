/*
 * dump — writing profiles without disturbing the program.
 *
 * A signal handler may only do async-signal-safe things: ours posts a semaphore (no file
 * descriptor that the program could close or reuse) and returns; the dumper thread, started
 * with every signal blocked so the program's signals never land on it, does the work.
 * The same thread writes the periodic snapshots of LIBLEAK_INTERVAL (deadlines on
 * CLOCK_MONOTONIC: setting the wall clock neither delays nor hurries them) and calls the
 * watch poll (libleak_watch_poll, below). Dumps are serialised by one mutex, taken only by
 * dumpers, never on the allocation path and never by fork.
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
 * The dumper thread and namespaces. The kernel lets only a single-threaded process enter a
 * user namespace (unshare(CLONE_NEWUSER), setns) or another mount namespace. namespaces.c
 * interposes unshare and setns and calls libleak_dump_pause_dumper/resume_dumper around them:
 * the dumper finishes its dump, exits, is joined, and a new one starts after the call. A
 * snapshot signal arriving meanwhile is not lost: its semaphore post waits for the new thread.
 *
 * Files. A profile is written to an unnamed file (O_TMPFILE) in its directory and then given
 * its name with linkat, which fails rather than replace an existing file or symlink: a reader
 * never sees half a profile, and a process that dies mid-write (exit() racing on another
 * thread, SIGKILL) leaves nothing behind. Where the file system has no O_TMPFILE, a short
 * hidden temporary name (.libleak.PID.N.tmp, never longer than needed whatever the final
 * name) is moved into place with renameat2(RENAME_NOREPLACE), or link + unlink. Profiles are
 * created with LIBLEAK_MODE (default 0600, as core files: they show the memory layout and
 * paths of the process). Every descriptor is >= 3 (descriptors.h).
 */
#include "dump/dump.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dump/ages.h"
#include "core/clock.h"
#include "core/config.h"
#include "os/descriptors.h"
#include "os/proc_files.h"
#include "core/export.h"
#include "core/log.h"
#include "dump/profile_writer.h"
#include "dump/symbols.h"
#include "alloc/thread.h"
#include "dump/watch.h"

bool libleak_passive;

static pthread_mutex_t dump_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool dump_in_progress;    /* set while dump_lock is held: tells a fork child */
static struct libleak_plugs dump_plugs; /* under dump_lock: the standard numbers a dump holds */
static sem_t wakeup;
static unsigned sequence; /* under dump_lock */
static bool exiting;      /* under dump_lock: the exit profile is written, no more dumps */
static int64_t start_nanos;
static char start_directory[PATH_MAX];
static char program_name[256];

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
static int64_t next_poll;

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
    dumper_tid = gettid();
    for (;;) {
        int posts = wait_for_work();
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
        unsigned poll_millis = watch_period_millis();
        if (poll_millis && monotonic_nanos() >= next_poll) {
            libleak_watch_poll();
            next_poll = monotonic_nanos() + (int64_t)poll_millis * 1000000;
        }
    }
    libleak_leave();
    return NULL;
}

/* Starts the dumper thread; dumper_control held (or the process single-threaded). Every
   signal is blocked in it: left unblocked, the snapshot signal would make it a thread the
   kernel may hand the process's signal to, and a program that blocks that signal and waits
   for it (sigwait on a thread of its own) would lose it to our handler (lib_signal_effects). */
static void start_dumper(void)
{
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
        libleak_log("cannot start the dumper thread (%s); snapshots on signal and periodic snapshots are off",
                    strerror(error));
        return;
    }
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

static void read_program_name(void)
{
    char path[PATH_MAX];
    if (!libleak_program_path(path, sizeof path)) {
        strcpy(program_name, "program");
        return;
    }
    const char *base = strrchr(path, '/');
    snprintf(program_name, sizeof program_name, "%.*s", (int)sizeof program_name - 1, base ? base + 1 : path);
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

void libleak_dump_init(void)
{
    start_nanos = libleak_wall_nanos();
    if (!getcwd(start_directory, sizeof start_directory))
        start_directory[0] = '\0';
    read_program_name();
    sem_init(&wakeup, 0, 0);
    dumper_process = getpid();
    int64_t now = monotonic_nanos();
    next_periodic = now + (int64_t)libleak_config.interval * 1000000000;
    next_poll = now;
    dumper_wanted = libleak_config.signal || libleak_config.interval || watch_period_millis();
    if (dumper_wanted)
        start_dumper();
    if (dumper_running && libleak_config.signal)
        install_signal_handler();
}

/* Expands LIBLEAK_OUT into an absolute name: %p pid, %n sequence (or the name of a special
   profile: "leaks", "peak", ...), %e program, %t time. */
static bool expand_template(char *out, size_t size, const char *sequence_text)
{
    size_t used = 0;
    const char *template = libleak_config.out;
    if (template[0] != '/' && start_directory[0]) {
        int n = snprintf(out, size, "%s/", start_directory);
        if (n < 0 || (size_t)n >= size)
            return false;
        used = (size_t)n;
    }
    for (const char *p = template; *p && used < size; p++) {
        int n;
        if (*p != '%') {
            out[used++] = *p;
            continue;
        }
        switch (*++p) {
        case 'p': n = snprintf(out + used, size - used, "%d", (int)getpid()); break;
        case 'n': n = snprintf(out + used, size - used, "%s", sequence_text); break;
        case 'e': n = snprintf(out + used, size - used, "%s", program_name); break;
        case 't': n = snprintf(out + used, size - used, "%lld", (long long)time(NULL)); break;
        default: n = snprintf(out + used, size - used, "%%"); break;
        }
        if (n < 0 || (size_t)n >= size - used)
            return false;
        used += (size_t)n;
    }
    if (used >= size)
        return false;
    out[used] = '\0';
    return true;
}

/* Moves tmp to final unless final exists (file or symlink). */
static int move_into_place(const char *tmp, const char *final)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    if (link(tmp, final) != 0)
        return -1;
    unlink(tmp);
    return 0;
}

/* Gives the unnamed file fd the name final, unless final exists. linkat with AT_EMPTY_PATH
   needs CAP_DAC_READ_SEARCH; through /proc/self/fd it needs nothing. */
static int name_unnamed_file(int fd, const char *final)
{
    if (linkat(fd, "", AT_FDCWD, final, AT_EMPTY_PATH) == 0)
        return 0;
    if (errno == EEXIST)
        return -1;
    char proc_path[64];
    snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc_path, AT_FDCWD, final, AT_SYMLINK_FOLLOW);
}

/* Over a file-size limit (ulimit -f) write() raises SIGXFSZ, whose default action kills the
   program. Blocked in this thread, the write fails with EFBIG instead; a SIGXFSZ our write left
   pending is taken before the old mask comes back. */
static void block_file_size_signal(sigset_t *previous)
{
    sigset_t xfsz;
    sigemptyset(&xfsz);
    sigaddset(&xfsz, SIGXFSZ);
    pthread_sigmask(SIG_BLOCK, &xfsz, previous);
}

static void restore_file_size_signal(const sigset_t *previous)
{
    sigset_t xfsz;
    sigemptyset(&xfsz);
    sigaddset(&xfsz, SIGXFSZ);
    struct timespec no_wait = {0, 0};
    if (!sigismember(previous, SIGXFSZ))
        while (sigtimedwait(&xfsz, NULL, &no_wait) == SIGXFSZ)
            ;
    pthread_sigmask(SIG_SETMASK, previous, NULL);
}

static int write_file(const char *final, const struct libleak_profile_request *request)
{
    char directory[PATH_MAX];
    const char *slash = strrchr(final, '/');
    int directory_length = slash ? (int)(slash - final + 1) : 0;
    if (directory_length)
        snprintf(directory, sizeof directory, "%.*s", directory_length, final);
    else
        strcpy(directory, "./");
    mode_t mode = (mode_t)libleak_config.file_mode;

    char tmp[PATH_MAX + 64] = "";
    int fd = libleak_open_high(directory, O_TMPFILE | O_WRONLY, mode);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        /* No O_TMPFILE here: a short hidden name, unique in this process's dumps (serialised
           by dump_lock) and in others' (pid). */
        static unsigned attempt;
        do {
            snprintf(tmp, sizeof tmp, "%s.libleak.%d.%u.tmp", directory, (int)getpid(), attempt++);
            fd = libleak_open_high(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
        } while (fd < 0 && errno == EEXIST && attempt % 16 != 0);
    }
    if (fd < 0)
        return -1;
    sigset_t previous_mask;
    block_file_size_signal(&previous_mask);
    int result = libleak_profile_write(fd, request);
    int saved_errno = errno;
    restore_file_size_signal(&previous_mask);
    if (result == 0 && !tmp[0] && name_unnamed_file(fd, final) != 0) {
        result = -1;
        saved_errno = errno;
    }
    if (close(fd) != 0 && result == 0) {
        result = -1;
        saved_errno = errno;
    }
    if (tmp[0]) {
        if (result == 0 && move_into_place(tmp, final) != 0) {
            result = -1;
            saved_errno = errno;
        }
        if (result != 0)
            unlink(tmp);
    }
    errno = saved_errno;
    return result;
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
   sequence number when special is NULL). */
static int dump(const char *path, const char *special, const struct libleak_profile_source *source,
                const char *const *comments)
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
    } else if (expand_template(name, sizeof name, sequence_text)) {
        result = 0;
        if (!special)
            sequence++;
    } else {
        errno = ENAMETOOLONG;
    }
    if (result == 0) {
        struct libleak_profile_request request = {start_nanos, libleak_config.symbolize, source, {NULL}};
        for (int i = 0; comments && comments[i] && i < LIBLEAK_PROFILE_EXTRA_COMMENTS; i++)
            request.extra_comments[i] = comments[i];
        result = write_file(name, &request);
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

int libleak_dump_now(const char *path)
{
    return dump(path, NULL, libleak_ages_source(), NULL);
}

int libleak_dump_special(const char *special, const struct libleak_profile_source *source,
                         const char *const *comments)
{
    return dump(NULL, special, source, comments);
}

/* The watch's work on the symbolizer (warming its cache) is a dump as far as locks, the loader
   and fork are concerned: demangler first, then the lock, and a fork child knows. */
void libleak_dump_with_lock(void (*work)(void *context), void *context)
{
    int cancel_state = begin_dump();
    if (!exiting)
        work(context);
    end_dump(cancel_state);
}

void libleak_dump_at_exit(void)
{
    if (libleak_config.at_exit && libleak_config.rate != 0) /* passive: rate is 0 */
        libleak_dump_now(NULL);
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
    pthread_mutex_init(&dumper_control, NULL);
    if (atomic_load(&dump_in_progress)) {
        libleak_symbols_abandon();
        libleak_unplug_standard(&dump_plugs); /* the child's standard numbers are its own */
        atomic_store(&dump_in_progress, false);
    }
    sequence = 0;
    start_nanos = libleak_wall_nanos();
    /* Requests made to the parent are the parent's; the child has no dumper thread yet. */
    sem_init(&wakeup, 0, 0);
    dumper_process = getpid();
    paused = 0;
    dumper_running = false;
    if (dumper_wanted)
        start_dumper();
    errno = saved_errno;
}

/* A cancellation point, like the open and write it makes, but acted on only once nothing of
   ours is held. */
EXPORT int libleak_dump(const char *path)
{
    int result = libleak_dump_now(path);
    int saved_errno = errno;
    pthread_testcancel();
    errno = saved_errno;
    return result;
}

EXPORT unsigned long libleak_rate(void)
{
    return (unsigned long)libleak_config.rate; /* 0 when passive */
}
