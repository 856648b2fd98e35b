/*
 * until_enomem: allocates until malloc fails (run it under ulimit -v), keeping every block,
 * then prints "exhausted" and exits 0: the exit profile must be written with the address
 * space full (issue 19, item 15).
 *   until_enomem [BLOCK_BYTES [DEPTH]]   (default 65536; blocks of 1/64 of that fill the last
 *   gaps; with DEPTH, first 2^DEPTH blocks of 64 bytes from as many distinct stacks)
 */
#include <stdio.h>
#include <stdlib.h>

#include "distinct_stacks.h"
#include "site.h"

struct block {
    struct block *next;
};

static struct block *kept;

SITE int allocate_until_failure(size_t size)
{
    int count = 0;
    for (;;) {
        struct block *block = malloc(size);
        if (!block)
            return count;
        block->next = kept;
        kept = block;
        count++;
    }
}

int main(int argc, char **argv)
{
    size_t size = argc > 1 ? strtoul(argv[1], NULL, 10) : 65536;
    int depth = argc > 2 ? atoi(argv[2]) : 0;
    for (unsigned path = 0; depth > 0 && depth < 20 && path < (1u << depth); path++) {
        struct block *block = grow(depth, path);
        if (!block)
            return 1;
        block->next = kept;
        kept = block;
    }
    int big = allocate_until_failure(size);
    int small = allocate_until_failure(size / 64 > 16 ? size / 64 : 16);
    printf("exhausted\n");
    fprintf(stderr, "%d + %d blocks\n", big, small);
    return big > 0 ? 0 : 1;
}
