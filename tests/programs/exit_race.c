/*
 * exit_race: THREADS threads, released together, all call exit(0) at once. The first runs the
 * exit handlers (libleak's exit profile among them); another's exit ends the process while
 * that profile is being written. Nothing half written may be left behind: no temporary file.
 *   exit_race THREADS
 */
#include <pthread.h>
#include <stdlib.h>

#include "site.h"

static pthread_barrier_t start;

SITE static void *keep_some(int n)
{
    return malloc((size_t)n * 100);
}

static void *exit_now(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);
    exit(0);
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 8;
    for (int i = 0; i < 2000; i++)
        keep_some(i);
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++) {
        pthread_t thread;
        pthread_create(&thread, NULL, exit_now, NULL);
    }
    pthread_barrier_wait(&start);
    exit(0);
}
