/*
 * dump — writing profiles without disturbing the program.
 *
 * A signal handler may only do async-signal-safe things: ours posts a semaphore (no file
 * descriptor that the program could close or reuse) and returns; the dumper thread, started
 * with every signal blocked so the program's signals never land on it, does the work. The same
 * thread writes the periodic snapshots of LIBLEAK_INTERVAL. Dumps
 * are serialised by one mutex, taken only by dumpers, never on the allocation path.
 *
 * A file is written to a hidden temporary name in its directory (O_EXCL | O_NOFOLLOW) and then
 * moved into place with renameat2(RENAME_NOREPLACE) (or link + unlink where that is not
 * supported): a reader never sees half a profile, and an existing file or symlink at the name
 * is never replaced.
 */
#include "dump.h"

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

#include "ages.h"
#include "config.h"
#include "log.h"
#include "profile.h"
#include "thread.h"
#include "watch.h"

#define EXPORT __attribute__((visibility("default")))

bool libleak_passive;

static pthread_mutex_t dump_lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t wakeup;
static bool dumper_started;
static unsigned sequence; /* under dump_lock */
static bool exiting;      /* under dump_lock: the exit profile is written, no more dumps */
static int64_t start_nanos;
static char start_directory[PATH_MAX];
static char program_name[256];

static int64_t now_nanos(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static void on_snapshot_signal(int signal_number)
{
    (void)signal_number;
    int saved_errno = errno;
    sem_post(&wakeup);
    errno = saved_errno;
}

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Waits for the snapshot signal, or until the next periodic snapshot is due; meanwhile, while
   a watch feature is on, calls libleak_watch_poll() every LIBLEAK_WATCH_POLL_MS. */
static void wait_for_work(struct timespec *next_periodic)
{
    for (;;) {
        bool polling = libleak_watch_active();
        if (!libleak_config.interval && !polling) {
            while (sem_wait(&wakeup) != 0 && errno == EINTR)
                ;
            return;
        }
        struct timespec now, deadline;
        clock_gettime(CLOCK_REALTIME, &now);
        deadline = now;
        if (polling) {
            deadline.tv_nsec += LIBLEAK_WATCH_POLL_MS * 1000000L;
            deadline.tv_sec += deadline.tv_nsec / 1000000000L;
            deadline.tv_nsec %= 1000000000L;
        }
        if (libleak_config.interval && (!polling || before(next_periodic, &deadline)))
            deadline = *next_periodic;
        if (sem_timedwait(&wakeup, &deadline) == 0)
            return;
        if (errno != ETIMEDOUT)
            continue;
        clock_gettime(CLOCK_REALTIME, &now);
        if (libleak_config.interval && !before(&now, next_periodic)) {
            /* The next one is an interval from now: a suspended process catches up once. */
            next_periodic->tv_sec = now.tv_sec + (time_t)libleak_config.interval;
            next_periodic->tv_nsec = now.tv_nsec;
            return;
        }
        libleak_watch_poll();
    }
}

static void *dumper_main(void *unused)
{
    (void)unused;
    libleak_enter(); /* for good: everything this thread allocates is ours, untracked */
    struct timespec next_periodic;
    clock_gettime(CLOCK_REALTIME, &next_periodic);
    next_periodic.tv_sec += (time_t)libleak_config.interval;
    for (;;) {
        wait_for_work(&next_periodic);
        while (sem_trywait(&wakeup) == 0) /* a burst of signals is one snapshot */
            ;
        libleak_dump_now(NULL);
    }
    return NULL;
}

static void start_dumper(void)
{
    dumper_started = false;
    if (!libleak_config.signal && !libleak_config.interval && !libleak_watch_active())
        return;
    sem_init(&wakeup, 0, 0);
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, 1 << 20);
    int error = pthread_create(&thread, &attributes, dumper_main, NULL);
    pthread_attr_destroy(&attributes);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (error) {
        libleak_log("cannot start the dumper thread (%s); snapshots on signal and periodic snapshots are off",
                    strerror(error));
        return;
    }
    pthread_setname_np(thread, "libleak-dumper");
    dumper_started = true;
}

static void read_program_name(void)
{
    char path[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
    if (length <= 0) {
        strcpy(program_name, "program");
        return;
    }
    path[length] = '\0';
    const char *base = strrchr(path, '/');
    snprintf(program_name, sizeof program_name, "%.*s", (int)sizeof program_name - 1, base ? base + 1 : path);
}

void libleak_dump_init(void)
{
    start_nanos = now_nanos();
    if (!getcwd(start_directory, sizeof start_directory))
        start_directory[0] = '\0';
    read_program_name();
    start_dumper();
    if (dumper_started && libleak_config.signal) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_snapshot_signal;
        action.sa_flags = SA_RESTART; /* the program's system calls must not see EINTR from us */
        sigemptyset(&action.sa_mask);
        sigaction(libleak_config.signal, &action, NULL);
    }
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
    char tmp[PATH_MAX + 64];
    const char *slash = strrchr(final, '/');
    int directory_length = slash ? (int)(slash - final + 1) : 0;
    if (snprintf(tmp, sizeof tmp, "%.*s.%s.%d.tmp", directory_length, final, final + directory_length,
                 (int)getpid()) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    sigset_t previous_mask;
    block_file_size_signal(&previous_mask);
    int result = libleak_profile_write(fd, request);
    int saved_errno = errno;
    restore_file_size_signal(&previous_mask);
    if (close(fd) != 0 && result == 0) {
        result = -1;
        saved_errno = errno;
    }
    if (result == 0 && move_into_place(tmp, final) != 0) {
        result = -1;
        saved_errno = errno;
    }
    if (result != 0)
        unlink(tmp);
    errno = saved_errno;
    return result;
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
    /* open and write are cancellation points: a thread cancelled there would die holding
       dump_lock, and every later dump (the exit profile too) would wait forever. */
    int cancel_state;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    libleak_enter();
    pthread_mutex_lock(&dump_lock);
    char name[PATH_MAX] = "";
    int result = -1;
    if (exiting) {
        /* A snapshot requested while the program exits: exit_group could end it half
           written. The exit profile (if any) already has everything. */
        pthread_mutex_unlock(&dump_lock);
        libleak_leave();
        pthread_setcancelstate(cancel_state, NULL);
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
    pthread_mutex_unlock(&dump_lock);
    if (result != 0)
        libleak_log("cannot write profile %s: %s", name, strerror(saved_errno));
    else if (!special)
        libleak_watch_snapshot_written(path ? NULL : name, sequence_text);
    libleak_leave();
    pthread_setcancelstate(cancel_state, NULL);
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

void libleak_dump_with_lock(void (*work)(void *context), void *context)
{
    int cancel_state;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    libleak_enter();
    pthread_mutex_lock(&dump_lock);
    if (!exiting)
        work(context);
    pthread_mutex_unlock(&dump_lock);
    libleak_leave();
    pthread_setcancelstate(cancel_state, NULL);
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

void libleak_dump_before_fork(void)
{
    pthread_mutex_lock(&dump_lock);
}

void libleak_dump_after_fork_in_parent(void)
{
    pthread_mutex_unlock(&dump_lock);
}

void libleak_dump_after_fork_in_child(void)
{
    pthread_mutex_init(&dump_lock, NULL);
    sequence = 0;
    start_nanos = now_nanos();
    if (dumper_started) /* the child has no dumper thread: start its own */
        start_dumper();
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
