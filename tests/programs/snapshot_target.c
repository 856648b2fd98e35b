/*
 * snapshot_target: keeps known blocks live from keep_small and keep_big, prints the truth and
 * "ready", then waits (at most 60 s) until a file named "go" appears in the working directory,
 * so that a test can send it signals meanwhile; then prints "done" and exits 0.
 *   truth FUNC inuse_objects inuse_space alloc_objects alloc_space
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "site.h"
enum { SMALL_COUNT = 1000, SMALL_SIZE = 100, BIG_COUNT = 8, BIG_SIZE = 64 * 1024 };

static void *small[SMALL_COUNT], *big[BIG_COUNT];

SITE void keep_small(void)
{
    for (int i = 0; i < SMALL_COUNT; i++) {
        small[i] = malloc(SMALL_SIZE);
        if (!small[i])
            exit(2);
        memset(small[i], 1, SMALL_SIZE);
    }
}

SITE void keep_big(void)
{
    for (int i = 0; i < BIG_COUNT; i++) {
        big[i] = malloc(BIG_SIZE);
        if (!big[i])
            exit(2);
        memset(big[i], 2, BIG_SIZE);
    }
}

int main(void)
{
    keep_small();
    keep_big();
    printf("truth keep_small %d %d %d %d\n", SMALL_COUNT, SMALL_COUNT * SMALL_SIZE, SMALL_COUNT,
           SMALL_COUNT * SMALL_SIZE);
    printf("truth keep_big %d %d %d %d\n", BIG_COUNT, BIG_COUNT * BIG_SIZE, BIG_COUNT, BIG_COUNT * BIG_SIZE);
    printf("ready\n");
    fflush(stdout);
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 6000 && access("go", F_OK) != 0; i++)
        nanosleep(&tick, NULL);
    printf("done\n");
    return 0;
}
