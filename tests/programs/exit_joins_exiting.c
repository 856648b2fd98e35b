/* Two exits that wait for each other: main's exit() runs an atexit handler that joins a worker,
   and the worker itself calls exit(3). glibc before 2.37 has no exit lock: the worker runs the
   exit handlers that are left (the loader's finalizer among them), flushes stdio and ends the
   process with 3 while main still waits in pthread_join. A newer glibc makes the worker wait
   for main, forever. main leaks a block first, so that the leak gate has something to report.
   Usage: exit_joins_exiting   (the lines on stdout are buffered: a lost flush shows) */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"

static sem_t main_in_handler;
static pthread_t worker;
static char *volatile sink; /* volatile: gcc would drop a malloc whose result nobody reads */

SITE static void leak(void)
{
    sink = malloc(4321);
    memset(sink, 1, 4321);
    sink = NULL;
}

static void join_worker(void)
{
    printf("main: in the atexit handler, joining the worker\n");
    sem_post(&main_in_handler);
    pthread_join(worker, NULL);
    printf("main: the worker was joined (not bare glibc 2.36)\n");
}

static void *exit_three(void *unused)
{
    (void)unused;
    sem_wait(&main_in_handler);
    printf("worker: exit(3)\n");
    exit(3);
}

int main(void)
{
    leak();
    sem_init(&main_in_handler, 0, 0);
    if (pthread_create(&worker, NULL, exit_three, NULL) != 0)
        return 99;
    atexit(join_worker);
    printf("main: exit(0)\n");
    exit(0);
}
