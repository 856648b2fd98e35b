/*
 * peak_spike: the moments a poll misses. Allocates BLOCKS blocks of 1 MiB from one call site
 * (spike_block), sleeping 1 ms after every PACE blocks (0: never), holds them HOLD_MS
 * milliseconds, frees them all and exits. Arguments: BLOCKS HOLD_MS PACE (default 256 5 0).
 *   peak_spike 256 5 0   a request's spike: 256 MiB held 5 ms, then gone
 *   peak_spike 200 0 4   a steady climb to 200 MiB that is freed as soon as it ends
 * The peak profile must hold the BLOCKS MiB of spike_block. Prints
 *   truth spike_block OBJECTS BYTES
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "site.h"

#define BLOCK (1 << 20)

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

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 256;
    long hold_ms = argc > 2 ? atol(argv[2]) : 5;
    long pace = argc > 3 ? atol(argv[3]) : 0;
    void **blocks = calloc((size_t)count, sizeof *blocks);
    for (long i = 0; i < count; i++) {
        if (!(blocks[i] = spike_block())) {
            fprintf(stderr, "peak_spike: malloc failed\n");
            return 2;
        }
        if (pace && i % pace == pace - 1)
            pause_ms(1);
    }
    if (hold_ms)
        pause_ms(hold_ms);
    for (long i = 0; i < count; i++)
        free(blocks[i]);
    free(blocks);
    printf("truth spike_block %ld %ld\n", count, count * (long)BLOCK);
    return 0;
}
