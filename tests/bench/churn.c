/*
 * churn OPS [WINDOW]: one thread replaces a random block of a sliding window of WINDOW live
 * blocks (default 1000) OPS times with a new one of 16..512 bytes. This is the pure hot path:
 * almost every call is an unsampled malloc or free, so the profiler's fast path is all that
 * separates it from bare. OPS=0 runs nothing: callgrind's baseline.
 */
#include "bench.h"

#include <string.h>

int main(int argc, char **argv)
{
    long ops = bench_arg(argc, argv, 1, 20000000);
    long window = bench_arg(argc, argv, 2, 1000);
    if (window < 1)
        window = 1;
    void **slot = calloc((size_t)window, sizeof *slot);
    if (!slot)
        return 1;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    unsigned long sum = 0;
    for (long i = 0; i < ops; i++) {
        uint64_t r = bench_rand(&seed);
        size_t j = (size_t)(r % (uint64_t)window);
        size_t size = 16 + (size_t)((r >> 32) % 497);
        free(slot[j]);
        char *p = malloc(size);
        if (!p)
            return 1;
        /* Touch the block so the work is not optimized away and the page is really used. */
        p[0] = (char)i;
        sum += (unsigned char)p[0];
        slot[j] = p;
    }
    for (long j = 0; j < window; j++)
        free(slot[j]);
    free(slot);
    /* Printing the sum keeps the compiler from proving the loop useless. */
    if (sum == 1)
        puts("");
    return 0;
}
