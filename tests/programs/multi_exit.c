/* Several threads call exit() at the same moment, after main has leaked a block: the exit
   sequence (the exit profile, the leak gate) must run once and to its end. glibc lets a second
   exit() finish the process with _exit while the first is still running destructors. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "site.h"

enum { THREADS = 8 };
static pthread_barrier_t start;

static void *exit_now(void *unused)
{
    (void)unused;
    pthread_barrier_wait(&start);
    exit(0);
}

static char *volatile sink; /* volatile: gcc would drop a malloc whose result nobody reads */

SITE static void leak(void)
{
    sink = malloc(4321);
    memset(sink, 1, 4321);
    sink = NULL;
}

int main(void)
{
    leak();
    pthread_barrier_init(&start, NULL, THREADS + 1);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, exit_now, NULL);
    pthread_barrier_wait(&start);
    exit(0);
}
