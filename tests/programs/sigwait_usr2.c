/*
 * sigwait_usr2: a program that takes SIGUSR2 for itself the synchronous way, as services with
 * a signal-handling thread do: blocks it in main (before any thread of its own, so every
 * thread inherits the mask) and waits for it with sigtimedwait on a thread of its own. It
 * must get every one: libleak's thread must not become the one the kernel hands them to.
 * Prints "ready", then "got N" (N signals within 10 s of the first wait, at most COUNT).
 *   sigwait_usr2 COUNT
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static sigset_t usr2;
static int wanted, got;

static void *wait_for_signals(void *arg)
{
    (void)arg;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (got < wanted) {
        struct timespec limit = {1, 0};
        if (sigtimedwait(&usr2, NULL, &limit) == SIGUSR2)
            got++;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= 10)
            break;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    wanted = argc > 1 ? atoi(argv[1]) : 10;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);
    pthread_t waiter;
    if (pthread_create(&waiter, NULL, wait_for_signals, NULL) != 0)
        return 2;
    printf("ready\n");
    fflush(stdout);
    pthread_join(waiter, NULL);
    printf("got %d\n", got);
    return 0;
}
