/*
 * The leak gate's classification (gate/classify.c) on blocks built here, with memcheck's rules:
 * start and interior pointers from roots, the prior-definite rule (blocks reached only
 * through possibly lost ones are possibly lost), cliques (a lost cycle is one definitely lost
 * block and the rest indirectly lost), the new[] heuristic, forced roots (the DTV), zero-sized
 * blocks (read directly, and through the window used while a thread may run); memory unmapped
 * under the scan (a root with a hole, a block whose pages are gone); then 10^6 blocks in shuffled order with known verdicts (timed in make bench, not here).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "gate/classify.h"

static struct libleak_reach_block block_of(void *p, uint64_t size)
{
    return (struct libleak_reach_block){.address = (uintptr_t)p, .size = size, .stack = 1};
}

static int state_of(const struct libleak_reach_block *blocks, size_t count, void *p)
{
    for (size_t i = 0; i < count; i++)
        if (blocks[i].address == (uintptr_t)p)
            return blocks[i].state;
    return -1;
}

static void small_cases(bool others_may_run)
{
    void **a = calloc(4, sizeof(void *)), **b = calloc(4, sizeof(void *)); /* lost cycle */
    a[0] = b;
    b[0] = a;
    void **c = calloc(4, sizeof(void *)); /* only an interior pointer from the root */
    void **d = calloc(4, sizeof(void *)); /* only a start pointer from c (possibly lost) */
    c[1] = d;
    void **e = calloc(4, sizeof(void *)); /* start pointer from the root */
    void **f = calloc(4, sizeof(void *)); /* interior pointer from e (reachable) */
    e[2] = (char *)f + 8;
    uint64_t *g = calloc(1, 8 + 3 * 16); /* new[] of 3 16-byte objects: count, then elements */
    g[0] = 3;
    void *h = malloc(0);                    /* zero-sized, start pointer */
    void **dtv = calloc(4, sizeof(void *)); /* forced, by an interior pointer */
    void **tls = calloc(4, sizeof(void *)); /* reached from the forced block only */
    dtv[1] = tls;
    void *lost_h = malloc(0);

    void *root[4] = {(char *)c + 8, e, (char *)g + 8, h};
    struct libleak_reach_region roots[1] = {{(uintptr_t)root, (uintptr_t)(root + 4), false}};
    uintptr_t forced[1] = {(uintptr_t)(dtv + 1)};
    struct libleak_reach_block blocks[] = {block_of(a, 32),   block_of(b, 32),    block_of(c, 32),
                                           block_of(d, 32),   block_of(e, 32),    block_of(f, 32),
                                           block_of(g, 56),   block_of(h, 0),     block_of(dtv, 32),
                                           block_of(tls, 32), block_of(lost_h, 0)};
    size_t n = sizeof blocks / sizeof blocks[0];
    libleak_reach_classify(blocks, n, roots, 1, forced, 1, &(struct libleak_classify_setting){.others_may_run = others_may_run});
    for (size_t i = 1; i < n; i++)
        CHECK(blocks[i - 1].address < blocks[i].address, "sorted by address at %zu", i);
    int sa = state_of(blocks, n, a), sb = state_of(blocks, n, b);
    CHECK((sa == LIBLEAK_UNREACHED && sb == LIBLEAK_INDIRECT) ||
                  (sb == LIBLEAK_UNREACHED && sa == LIBLEAK_INDIRECT),
          "lost cycle: one definitely, one indirectly lost (%d %d)", sa, sb);
    CHECK(state_of(blocks, n, c) == LIBLEAK_POSSIBLE, "interior pointer only: possibly lost");
    CHECK(state_of(blocks, n, d) == LIBLEAK_POSSIBLE,
          "start pointer from a possibly lost block: possibly lost");
    CHECK(state_of(blocks, n, e) == LIBLEAK_REACHABLE, "start pointer from a root: reachable");
    CHECK(state_of(blocks, n, f) == LIBLEAK_POSSIBLE,
          "interior pointer from a reachable block: possibly lost");
    CHECK(state_of(blocks, n, g) == LIBLEAK_REACHABLE, "new[] heuristic: reachable");
    CHECK(state_of(blocks, n, h) == LIBLEAK_REACHABLE, "zero-sized block with a start pointer: reachable");
    CHECK(state_of(blocks, n, dtv) == LIBLEAK_REACHABLE, "forced (DTV): reachable");
    CHECK(state_of(blocks, n, tls) == LIBLEAK_REACHABLE, "reached from the forced block: reachable");
    CHECK(state_of(blocks, n, lost_h) == LIBLEAK_UNREACHED,
          "zero-sized block without pointer: definitely lost");
}

/* What a thread left running may do meanwhile: unmap part of a root, or a large block (made
   unreadable here, which faults the same way). */
static void unmapped_memory(void)
{
    char *pages = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(pages != MAP_FAILED, "mmap");
    void *before = calloc(1, 32), *after = calloc(1, 32), *gone_child = calloc(1, 32);
    ((void **)pages)[0] = before;
    ((void **)(pages + 2 * 4096))[0] = after;
    char *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ((void **)gone)[0] = gone_child;
    ((void **)(pages + 8))[0] = gone;
    /* unreadable rather than unmapped: nothing else (a sanitizer's allocator) may map there */
    mprotect(pages + 4096, 4096, PROT_NONE);
    mprotect(gone, 4096, PROT_NONE);
    struct libleak_reach_region roots[1] = {{(uintptr_t)pages, (uintptr_t)(pages + 3 * 4096), false}};
    struct libleak_reach_block blocks[] = {block_of(before, 32), block_of(after, 32), block_of(gone, 4096),
                                           block_of(gone_child, 32)};
    size_t n = sizeof blocks / sizeof blocks[0];
    libleak_reach_classify(blocks, n, roots, 1, NULL, 0, &(struct libleak_classify_setting){.others_may_run = true});
    CHECK(state_of(blocks, n, before) == LIBLEAK_REACHABLE, "before the hole: reachable");
    CHECK(state_of(blocks, n, after) == LIBLEAK_REACHABLE, "after the hole: reachable");
    CHECK(state_of(blocks, n, gone) == LIBLEAK_REACHABLE, "an unmapped block with a pointer: reachable");
    CHECK(state_of(blocks, n, gone_child) == LIBLEAK_UNREACHED,
          "held only by unmapped memory: definitely lost (%d)", state_of(blocks, n, gone_child));
    munmap(pages, 3 * 4096);
    munmap(gone, 4096);
}

static void a_million(void)
{
    enum { N = 1000000 };
    void **array = calloc(N, sizeof *array); /* the root */
    struct libleak_reach_block *blocks = malloc((N + N / 10) * sizeof *blocks);
    size_t n = 0;
    for (size_t i = 0; i < N; i++) {
        void **block = calloc(4, sizeof(void *));
        blocks[n++] = block_of(block, 32);
        if (i % 10 == 0) { /* lost, and it holds the only pointer to another block */
            void *child = calloc(1, 48);
            block[3] = child;
            blocks[n++] = block_of(child, 48);
        } else {
            array[i] = block;
        }
    }
    /* shuffle: the classifier sorts */
    uint64_t x = 88172645463325252ULL;
    for (size_t i = n - 1; i > 0; i--) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t j = x % (i + 1);
        struct libleak_reach_block t = blocks[i];
        blocks[i] = blocks[j];
        blocks[j] = t;
    }
    struct libleak_reach_region roots[1] = {{(uintptr_t)array, (uintptr_t)(array + N), false}};
    libleak_reach_classify(blocks, n, roots, 1, NULL, 0, NULL);
    size_t counts[4] = {0, 0, 0, 0};
    uint64_t bytes[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        counts[blocks[i].state]++;
        bytes[blocks[i].state] += blocks[i].size;
    }
    CHECK(counts[LIBLEAK_UNREACHED] == N / 10 && bytes[LIBLEAK_UNREACHED] == 32ULL * (N / 10),
          "definitely lost: %zu blocks, %llu bytes", counts[LIBLEAK_UNREACHED],
          (unsigned long long)bytes[LIBLEAK_UNREACHED]);
    CHECK(counts[LIBLEAK_INDIRECT] == N / 10 && bytes[LIBLEAK_INDIRECT] == 48ULL * (N / 10),
          "indirectly lost: %zu blocks, %llu bytes", counts[LIBLEAK_INDIRECT],
          (unsigned long long)bytes[LIBLEAK_INDIRECT]);
    CHECK(counts[LIBLEAK_REACHABLE] == N - N / 10, "still reachable: %zu blocks", counts[LIBLEAK_REACHABLE]);
    CHECK(counts[LIBLEAK_POSSIBLE] == 0, "possibly lost: %zu blocks", counts[LIBLEAK_POSSIBLE]);
}

int main(void)
{
    small_cases(false);
    small_cases(true);
    unmapped_memory();
    a_million();
    return check_result("test_reach");
}
