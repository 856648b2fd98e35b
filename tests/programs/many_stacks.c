/*
 * many_stacks: keeps one 64-byte block from each of 2^LEVELS distinct call stacks (a path of
 * go_left/go_right calls chosen by the bits of the block's number), writes a profile with
 * libleak_dump("stacks.pb.gz"), frees everything and exits (the exit profile then has nothing
 * in use from keep_leaf). Prints "truth keep_leaf OBJECTS BYTES".
 * An argument sets LEVELS (default 12, at most 14: 16384 stacks, for leakprof html's size test).
 */
#include <libleak.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"
enum { DEFAULT_LEVELS = 12, MAX_LEVELS = 14, LEAF_SIZE = 64 };
static void *blocks[1 << MAX_LEVELS];

SITE void keep_leaf(int path)
{
    blocks[path] = malloc(LEAF_SIZE);
    if (!blocks[path])
        exit(2);
    memset(blocks[path], 1, LEAF_SIZE);
}
SITE void go_left(int level, int path);
SITE void go_right(int level, int path);
SITE void step(int level, int path)
{
    if (level == 0)
        keep_leaf(path);
    else if ((path >> (level - 1)) & 1)
        go_left(level - 1, path);
    else
        go_right(level - 1, path);
}
SITE void go_left(int level, int path)
{
    step(level, path);
}
SITE void go_right(int level, int path)
{
    step(level, path);
}

int main(int argc, char **argv)
{
    int levels = argc > 1 ? atoi(argv[1]) : DEFAULT_LEVELS;
    if (levels < 1 || levels > MAX_LEVELS)
        levels = DEFAULT_LEVELS;
    const int LEAVES = 1 << levels;
    for (int path = 0; path < LEAVES; path++)
        step(levels, path);
    printf("truth keep_leaf %d %d\n", LEAVES, LEAVES * LEAF_SIZE);
    fflush(stdout);
    if (libleak_dump && libleak_dump("stacks.pb.gz") != 0)
        fprintf(stderr, "many_stacks: libleak_dump: %s\n", strerror(errno));
    for (int path = 0; path < LEAVES; path++)
        free(blocks[path]);
    return 0;
}
