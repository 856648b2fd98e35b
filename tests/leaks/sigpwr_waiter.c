/* sigpwr_waiter: the program takes SIGPWR itself (a UPS daemon's power-failure notice): every
   thread blocks it, and one thread waits for it with sigtimedwait and exits 3 when it comes.
   main returns at once. The leak gate's scan must not deliver a SIGPWR of its own (its stop
   signal, where signals are used, is SIGPWR). Nothing is lost; the program exits 0. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "corpus.h"

static volatile int started;

static void *waiter(void *unused)
{
    (void)unused;
    sigset_t power;
    sigemptyset(&power);
    sigaddset(&power, SIGPWR);
    struct timespec minute = {60, 0};
    __atomic_store_n(&started, 1, __ATOMIC_SEQ_CST);
    if (sigtimedwait(&power, NULL, &minute) == SIGPWR) {
        fprintf(stderr, "sigpwr_waiter: power failure notice\n");
        exit(3);
    }
    return NULL;
}

int main(void)
{
    sigset_t power;
    sigemptyset(&power);
    sigaddset(&power, SIGPWR);
    pthread_sigmask(SIG_BLOCK, &power, NULL); /* inherited by the thread */
    pthread_t thread;
    if (pthread_create(&thread, NULL, waiter, NULL))
        abort();
    while (!__atomic_load_n(&started, __ATOMIC_SEQ_CST))
        usleep(1000);
    usleep(50000);
    scrub_stack();
    return 0;
}
