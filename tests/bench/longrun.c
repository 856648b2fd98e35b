/*
 * longrun PAIRS [WINDOW] [RESIDENT]: does exact mode cost the same late in a long run as early?
 * RESIDENT blocks (default 100 000) are allocated first and kept to the end, so that the live
 * table has grown through several generations; then PAIRS times (default 10^8) a random block
 * of a window of WINDOW (default 10 000) is freed and replaced by a new one of 16..512 bytes.
 * Prints the nanoseconds per malloc+free pair of the second million pairs (after a million of
 * warm-up: first unwinds, tables growing) and of the last million: "early NS late NS". A table whose tombstones pile up (or whose generations
 * multiply) shows a late figure far above the early one.
 */
#include "bench.h"

#include <time.h>

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long pairs = bench_arg(argc, argv, 1, 100000000);
    long window = bench_arg(argc, argv, 2, 10000);
    long resident = bench_arg(argc, argv, 3, 100000);
    const long phase = 1000000;
    if (window < 1)
        window = 1;
    if (pairs < 3 * phase)
        pairs = 3 * phase;
    void **kept = calloc((size_t)resident + 1, sizeof *kept);
    void **slot = calloc((size_t)window, sizeof *slot);
    if (!kept || !slot)
        return 1;
    for (long i = 0; i < resident; i++)
        kept[i] = malloc(64);
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    double early = 0, late = 0, started = 0;
    for (long i = 0; i < pairs; i++) {
        if (i == phase || i == pairs - phase)
            started = now_seconds();
        uint64_t r = bench_rand(&seed);
        size_t j = (size_t)(r % (uint64_t)window);
        free(slot[j]);
        char *p = malloc(16 + (size_t)((r >> 32) % 497));
        if (!p)
            return 1;
        p[0] = (char)i;
        slot[j] = p;
        if (i == 2 * phase - 1)
            early = now_seconds() - started;
        if (i == pairs - 1)
            late = now_seconds() - started;
    }
    printf("early %.1f late %.1f\n", early * 1e9 / phase, late * 1e9 / phase);
    for (long j = 0; j < window; j++)
        free(slot[j]);
    for (long i = 0; i < resident; i++)
        free(kept[i]);
    free(slot);
    free(kept);
    return 0;
}
