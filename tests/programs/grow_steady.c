/*
 * grow_steady: a leak that climbs steadily, the shape LIBLEAK_INUSE_INTERVAL is for. Keeps
 * MIB mebibytes (argument, default 80) from one call site (leak_steadily), 64 KiB at a time,
 * 1 MiB every 20 ms, while another site (churn_buffer) allocates and frees as much. Prints
 *   truth leak_steadily OBJECTS BYTES
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "site.h"

#define BLOCK (64 * 1024)

void *kept[1 << 16]; /* global: the blocks stay reachable */

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

SITE void *leak_steadily(void)
{
    void *p = malloc(BLOCK);
    memset(p, 1, BLOCK);
    return p;
}

SITE void churn_buffer(void)
{
    char *p = malloc(BLOCK);
    memset(p, 2, BLOCK);
    free(p);
}

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 80;
    long n = 0;
    for (long step = 0; step < mib; step++) {
        for (int i = 0; i < 16; i++) {
            kept[n++] = leak_steadily();
            churn_buffer();
        }
        pause_ms(20);
    }
    pause_ms(200); /* a few polls at the top */
    printf("truth leak_steadily %ld %ld\n", n, n * (long)BLOCK);
    return 0;
}
