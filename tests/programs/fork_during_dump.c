/*
 * fork_during_dump: one thread holds the loader's module-list lock (it waits inside its own
 * dl_iterate_phdr callback) so that a libleak_dump started on a second thread cannot finish;
 * the main thread then forks. fork must not wait for the dump: it returns while the dump is
 * still held up, so the profile does not exist yet when fork returns. (Before, fork waited for
 * the whole dump, however long.) The holder lets go when main says so, or after 3 s.
 * Prints "fork returned while the loader lock was held 1", "profile existed when fork
 * returned 0", "dump 0", "child 0".
 */
#include <errno.h>
#include <libleak.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static bool holding, release, dump_started;
static int dump_result = -1;

static int hold(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)info, (void)size, (void)data;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 3;
    pthread_mutex_lock(&mutex);
    holding = true;
    pthread_cond_broadcast(&changed);
    while (!release && pthread_cond_timedwait(&changed, &mutex, &deadline) != ETIMEDOUT)
        ;
    holding = false;
    pthread_mutex_unlock(&mutex);
    return 1;
}

static void *holder(void *arg)
{
    (void)arg;
    dl_iterate_phdr(hold, NULL);
    return NULL;
}

static void *dumper(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mutex);
    dump_started = true;
    pthread_mutex_unlock(&mutex);
    dump_result = libleak_dump ? libleak_dump("dump.pb.gz") : 0;
    return NULL;
}

int main(void)
{
    printf("fork_during_dump\n"); /* stdout's buffer is allocated before the lock is held */
    pthread_t holder_thread, dumper_thread;
    pthread_create(&holder_thread, NULL, holder, NULL);
    pthread_mutex_lock(&mutex);
    while (!holding)
        pthread_cond_wait(&changed, &mutex);
    pthread_mutex_unlock(&mutex);
    pthread_create(&dumper_thread, NULL, dumper, NULL);
    struct timespec pause = {0, 300 * 1000 * 1000}; /* the dump gets to the loader and waits */
    nanosleep(&pause, NULL);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    pthread_mutex_lock(&mutex);
    bool still_holding = holding;
    int existed = access("dump.pb.gz", F_OK) == 0;
    release = true;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&mutex);
    pthread_join(holder_thread, NULL);
    pthread_join(dumper_thread, NULL);
    int status = -1;
    waitpid(child, &status, 0);
    printf("fork returned while the loader lock was held %d\n", still_holding);
    printf("profile existed when fork returned %d\n", existed);
    printf("dump %d\n", dump_result);
    printf("child %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
