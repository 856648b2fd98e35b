/*
 * peak_spike: the moments a poll misses. Allocates BLOCKS blocks of 1 MiB from one call site
 * (spike_block), sleeping 1 ms after every PACE blocks (0: never), holds them HOLD_MS
 * milliseconds, frees them all and exits. With THREADS > 1 the blocks are shared out among
 * that many threads, which meet at a barrier once all are allocated and then all free at once
 * (the peak lasts HOLD_MS, the threads race at its edges). With FORK 1, once all is freed the
 * process forks and the child makes a spike of a quarter of BLOCKS (its own peak, not its
 * parent's). Arguments: BLOCKS HOLD_MS PACE THREADS FORK (default 256 5 0 1 0).
 *   peak_spike 256 5 0     a request's spike: 256 MiB held 5 ms, then gone
 *   peak_spike 200 0 4     a steady climb to 200 MiB that is freed as soon as it ends
 *   peak_spike 256 5 0 4   the spike made by four threads at once
 *   peak_spike 256 5 0 1 1 a spike, then a fork child with a spike of 64 MiB
 * The peak profile must hold the BLOCKS MiB of spike_block. Prints
 *   truth spike_block OBJECTS BYTES
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "site.h"

#define BLOCK (1 << 20)

static long hold_ms, pace;
static pthread_barrier_t all_allocated;

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

SITE void *spike_block(void)
{
    void *p = malloc(BLOCK);
    if (p)
        memset(p, 1, 4096); /* touch a page: a real request writes into what it takes */
    return p;
}

struct share {
    pthread_t thread;
    long count;
    int failed;
};

static void *spike(void *argument)
{
    struct share *share = argument;
    void **blocks = calloc((size_t)share->count, sizeof *blocks);
    for (long i = 0; i < share->count; i++) {
        if (!(blocks[i] = spike_block()))
            share->failed = 1;
        if (pace && i % pace == pace - 1)
            pause_ms(1);
    }
    pthread_barrier_wait(&all_allocated);
    if (hold_ms)
        pause_ms(hold_ms);
    for (long i = 0; i < share->count; i++)
        free(blocks[i]);
    free(blocks);
    return NULL;
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 256;
    hold_ms = argc > 2 ? atol(argv[2]) : 5;
    pace = argc > 3 ? atol(argv[3]) : 0;
    long threads = argc > 4 ? atol(argv[4]) : 1;
    int fork_child = argc > 5 && atoi(argv[5]) == 1;
    if (threads < 1 || threads > 64 || count < threads) {
        fprintf(stderr, "peak_spike: bad arguments\n");
        return 2;
    }
    struct share shares[64] = {{0}};
    pthread_barrier_init(&all_allocated, NULL, (unsigned)threads);
    for (long t = 0; t < threads; t++)
        shares[t].count = count / threads + (t < count % threads);
    for (long t = 1; t < threads; t++)
        pthread_create(&shares[t].thread, NULL, spike, &shares[t]);
    spike(&shares[0]); /* one share on the main thread: with THREADS 1, no thread at all */
    for (long t = 1; t < threads; t++)
        pthread_join(shares[t].thread, NULL);
    for (long t = 0; t < threads; t++)
        if (shares[t].failed) {
            fprintf(stderr, "peak_spike: malloc failed\n");
            return 2;
        }
    if (fork_child) {
        fflush(stdout);
        pid_t child = fork();
        if (child == 0) {
            struct share share = {.count = count / 4};
            pthread_barrier_init(&all_allocated, NULL, 1);
            spike(&share);
            return share.failed ? 2 : 0;
        }
        int status;
        if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status)) {
            fprintf(stderr, "peak_spike: the fork child failed\n");
            return 2;
        }
    }
    printf("truth spike_block %ld %ld\n", count, count * (long)BLOCK);
    return 0;
}
