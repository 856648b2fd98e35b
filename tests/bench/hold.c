/*
 * hold COUNT [SIZE]: allocates COUNT blocks of SIZE bytes (default 1 000 000 x 32) from one call
 * site and keeps them all live until exit. Under exact mode every one of them is a tracked live
 * block with the same stack, so (peak RSS exact - peak RSS bare) / COUNT is what the profiler
 * spends per live block, with the stack table reduced to one entry.
 */
#include "bench.h"

int main(int argc, char **argv)
{
    long count = bench_arg(argc, argv, 1, 1000000);
    long size = bench_arg(argc, argv, 2, 32);
    void **keep = malloc(sizeof *keep * (size_t)(count ? count : 1));
    if (!keep)
        return 1;
    for (long i = 0; i < count; i++) {
        char *p = malloc((size_t)size);
        if (!p)
            return 1;
        p[0] = 1;
        keep[i] = p;
    }
    /* The blocks are deliberately not freed: the peak is what is measured. */
    return keep[count ? count - 1 : 0] == NULL && count == 1;
}
