/* watchdog_sleep: a watchdog thread sleeps 60 s and aborts the program if it wakes early
   (sleep() returned what was left: something interrupted it). main returns at once. Stopping
   the threads for the scan must not interrupt the sleep: a signal with SA_RESTART does not
   restart nanosleep. Nothing is lost; the program exits 0. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "corpus.h"

static volatile int started;

static void *watchdog(void *unused)
{
    (void)unused;
    __atomic_store_n(&started, 1, __ATOMIC_SEQ_CST);
    if (sleep(60) != 0) {
        fprintf(stderr, "watchdog_sleep: the watchdog woke early\n");
        abort();
    }
    return NULL;
}

int main(void)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, watchdog, NULL))
        abort();
    while (!__atomic_load_n(&started, __ATOMIC_SEQ_CST))
        usleep(1000);
    usleep(50000); /* well inside sleep() */
    scrub_stack();
    return 0;
}
