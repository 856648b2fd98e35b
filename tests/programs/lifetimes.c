/*
 * lifetimes — three allocation sites whose blocks live very differently, 64 KiB blocks each
 * (tests/cases/lifetimes_sites.sh):
 *   temporary    4096 blocks, each freed at once (lives a few microseconds)
 *   short_lived  16 rounds of 64 blocks, freed 12 ms after they were allocated
 *   kept         512 blocks, never freed
 * Prints "truth SITE BYTES" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "site.h"

#define BLOCK (64 << 10)

SITE static void *temporary(void)
{
    return malloc(BLOCK);
}

SITE static void *short_lived(void)
{
    return malloc(BLOCK);
}

SITE static void *kept(void)
{
    return malloc(BLOCK);
}

int main(void)
{
    for (int i = 0; i < 4096; i++) {
        char *block = temporary();
        if (!block)
            return 1;
        block[0] = 1;
        free(block);
    }
    for (int round = 0; round < 16; round++) {
        void *blocks[64];
        for (int i = 0; i < 64; i++)
            if (!(blocks[i] = short_lived()))
                return 1;
        struct timespec pause = {0, 12 * 1000 * 1000};
        nanosleep(&pause, NULL);
        for (int i = 0; i < 64; i++)
            free(blocks[i]);
    }
    for (int i = 0; i < 512; i++)
        if (!kept())
            return 1;
    printf("truth temporary %d\ntruth short_lived %d\ntruth kept %d\n", 4096 * BLOCK, 16 * 64 * BLOCK,
           512 * BLOCK);
    return 0;
}
