/*
 * bigheap [COUNT [MARKFILE]]: a big live heap for the checks at exit (issue 15): COUNT blocks
 * (default 10 000 000) of 32, 96, 192 or 480 bytes, 200 on average, so about 2 GiB, nothing leaked.
 *
 * The blocks form chains of 1 to 7 (4 on average). The head of each chain is held by a root
 * array, itself a heap block held by a global: a quarter of the blocks are reachable from the
 * roots, the other three quarters only through other blocks, as in a heap of lists. The chains
 * grow side by side (each new block joins one of OPEN chains at random), so that a pointer
 * leads somewhere else in the heap, not to the next block in memory. The rest of each block is
 * data that is no pointer.
 *
 * Just before main returns it writes the CLOCK_MONOTONIC time in ns to MARKFILE (to stderr
 * without one): the runner takes the exit phase as the process's end minus that time, which is
 * what a check at exit (the leak gate's, LeakSanitizer's) adds, plus the teardown bare has too.
 */
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define OPEN 4096

struct node {
    struct node *next;
    long value; /* then data up to the block's size */
};

/* Not static: a store only ever read by the checks at exit must not be optimized away. */
struct node **bigheap_roots;

static size_t chain_length(size_t chain)
{
    return 1 + chain % 7;
}

static void write_mark(const char *path)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    char line[32];
    int n = snprintf(line, sizeof line, "%lld\n", (long long)t.tv_sec * 1000000000LL + t.tv_nsec);
    int fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : 2;
    if (fd < 0 || write(fd, line, (size_t)n) != n)
        exit(2);
    if (path)
        close(fd);
}

int main(int argc, char **argv)
{
    static const size_t sizes[4] = {32, 96, 192, 480};
    long count = bench_arg(argc, argv, 1, 10000000);
    const char *mark = argc > 2 ? argv[2] : NULL;

    /* Enough chains for COUNT blocks with up to OPEN chains unfinished (each short of at most 7). */
    size_t chains = 0;
    for (long placed = 0; placed < count + 7L * OPEN; chains++)
        placed += (long)chain_length(chains);
    bigheap_roots = malloc(sizeof *bigheap_roots * chains);
    if (!bigheap_roots)
        return 1;

    /* open[i]: the last block of an unfinished chain, left[i] how many blocks it still takes. */
    struct node *open[OPEN] = {0};
    size_t left[OPEN] = {0};
    size_t started = 0;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    for (long i = 0; i < count; i++) {
        uint64_t r = bench_rand(&seed);
        size_t size = sizes[r & 3];
        struct node *p = malloc(size);
        if (!p)
            return 1;
        p->next = NULL;
        p->value = i;
        memset(p + 1, (int)(i & 0x7f), size - sizeof *p);
        size_t slot = (size_t)(r >> 8) % OPEN;
        if (left[slot] == 0) {
            if (started == chains)
                return 1;
            bigheap_roots[started] = p;
            left[slot] = chain_length(started++);
        } else {
            open[slot]->next = p;
        }
        open[slot] = p;
        left[slot]--;
    }
    write_mark(mark);
    return 0;
}
