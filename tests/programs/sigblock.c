/*
 * sigblock: blocks every signal in all its threads (before and after starting a worker), then
 * allocates while a test sends it SIGUSR2; prints "ready", waits (at most 60 s) for a file
 * named "go", prints "done" and exits 0. The signal stays pending: nothing may hang.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "site.h"
static volatile int stop;

SITE void churn(void)
{
    void *p = malloc(1000);
    if (!p)
        exit(2);
    memset(p, 1, 1000);
    free(p);
}

static void *worker(void *arg)
{
    (void)arg;
    while (!stop)
        churn();
    return NULL;
}

int main(void)
{
    sigset_t all;
    sigfillset(&all);
    if (sigprocmask(SIG_BLOCK, &all, NULL) != 0)
        return 2;
    pthread_t thread;
    if (pthread_create(&thread, NULL, worker, NULL) != 0)
        return 2;
    printf("ready\n");
    fflush(stdout);
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 6000 && access("go", F_OK) != 0; i++) {
        churn();
        nanosleep(&tick, NULL);
    }
    stop = 1;
    pthread_join(thread, NULL);
    printf("done\n");
    return 0;
}
