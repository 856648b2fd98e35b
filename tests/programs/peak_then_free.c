/*
 * peak_then_free: grows to MIB mebibytes (argument, default 200) in 1 MiB blocks from one call
 * site (build_peak), rests there a moment, frees everything and
 * exits: the peak profile must hold the MIB, the exit profile nothing of build_peak. Prints
 *   truth build_peak OBJECTS BYTES
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

SITE void *build_peak(void)
{
    void *p = malloc(BLOCK);
    if (p)
        memset(p, 1, BLOCK);
    return p;
}

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 200;
    void **blocks = calloc((size_t)mib, sizeof *blocks);
    for (long i = 0; i < mib; i++) {
        if (!(blocks[i] = build_peak())) {
            fprintf(stderr, "peak_then_free: malloc failed\n");
            return 2;
        }
        if (i % 16 == 15)
            pause_ms(5);
    }
    pause_ms(300); /* the peak (once polled every 50 ms; now followed on the sampling path) */
    for (long i = 0; i < mib; i++)
        free(blocks[i]);
    free(blocks);
    pause_ms(100);
    printf("truth build_peak %ld %ld\n", mib, mib * (long)BLOCK);
    return 0;
}
