/*
 * reach: the leak gate's classification alone (libleak_reach_classify, gate/classify.c) on N
 * live blocks (default 10^6) of 32 bytes held by a root array, every 10th lost and holding the
 * only pointer to a 48-byte block. Prints the median wall time of 5 runs of sort + scan + flood +
 * cliques. `make bench-reach`; not part of the test suite (timings prove nothing on shared CI).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gate/classify.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    size_t count = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    void **array = calloc(count, sizeof *array);
    struct libleak_reach_block *blocks = malloc((count + count / 10 + 1) * sizeof *blocks);
    struct libleak_reach_block *work = malloc((count + count / 10 + 1) * sizeof *blocks);
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        void **block = calloc(4, sizeof(void *));
        blocks[n++] = (struct libleak_reach_block){.address = (uintptr_t)block, .size = 32, .stack = 1};
        if (i % 10 == 0) {
            block[3] = calloc(1, 48);
            blocks[n++] =
                    (struct libleak_reach_block){.address = (uintptr_t)block[3], .size = 48, .stack = 2};
        } else {
            array[i] = block;
        }
    }
    struct libleak_reach_region roots[1] = {{(uintptr_t)array, (uintptr_t)(array + count), false}};
    double seconds[5];
    size_t lost = 0;
    for (int run = 0; run < 5; run++) {
        for (size_t i = 0; i < n; i++)
            work[i] = blocks[n - 1 - i]; /* reversed: the sort has work to do */
        double start = now();
        libleak_reach_classify(work, n, roots, 1, NULL, 0, NULL);
        seconds[run] = now() - start;
        lost = 0;
        for (size_t i = 0; i < n; i++)
            lost += work[i].state == LIBLEAK_UNREACHED || work[i].state == LIBLEAK_INDIRECT;
    }
    qsort(seconds, 5, sizeof seconds[0], by_value);
    printf("reach: %zu live blocks (%zu lost): classification median %.3f s (min %.3f, max %.3f)\n", n, lost,
           seconds[2], seconds[0], seconds[4]);
    return lost == 2 * ((count + 9) / 10) ? 0 : 1;
}
