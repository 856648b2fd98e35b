/*
 * rate_estimate: keeps a little over 64 MiB live from one call site (keep_assorted) in blocks
 * of assorted sizes, some far below the default sampling rate (64 B), some near it and some
 * above it, then writes a profile with libleak_dump("rate.pb.gz"). Prints the truth:
 *   truth keep_assorted OBJECTS BYTES
 */
#include <libleak.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"

static const struct {
    size_t size, count;
} kinds[] = {
        {64, 262144},                              /* 16 MiB in blocks far below the rate */
        {1000, 16777}, {40000, 420}, {300000, 56}, /* near the rate */
        {1 << 20, 16},                             /* above it */
};
enum { KINDS = sizeof kinds / sizeof kinds[0] };

static void **blocks;

/* Interleaves the sizes so that every size meets the countdown in every state. */
SITE size_t keep_assorted(size_t *objects)
{
    size_t done[KINDS] = {0}, n = 0, bytes = 0, left = 1;
    while (left) {
        left = 0;
        for (int k = 0; k < KINDS; k++) {
            size_t burst = kinds[k].count / 64 + 1;
            for (size_t i = 0; i < burst && done[k] < kinds[k].count; i++, done[k]++) {
                void *p = malloc(kinds[k].size);
                if (!p) {
                    fprintf(stderr, "rate_estimate: malloc: %s\n", strerror(errno));
                    exit(2);
                }
                *(volatile char *)p = 1;
                blocks[n++] = p;
                bytes += kinds[k].size;
            }
            if (done[k] < kinds[k].count)
                left = 1;
        }
    }
    *objects = n;
    return bytes;
}

/* The same sizes, each block freed at once: at any rate, nothing may stay "in use" here. */
SITE size_t churn_assorted(size_t *objects)
{
    size_t n = 0, bytes = 0;
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < 262144; i++)
            for (int k = 0; k < KINDS; k++) {
                if (i >= kinds[k].count)
                    continue;
                void *p = malloc(kinds[k].size);
                if (!p) {
                    fprintf(stderr, "rate_estimate: malloc: %s\n", strerror(errno));
                    exit(2);
                }
                *(volatile char *)p = 1;
                free(p);
                n++;
                bytes += kinds[k].size;
            }
    *objects = n;
    return bytes;
}

int main(void)
{
    size_t total = 0, objects;
    for (int k = 0; k < KINDS; k++)
        total += kinds[k].count;
    blocks = calloc(total, sizeof *blocks);
    if (!blocks)
        return 2;
    size_t bytes = keep_assorted(&objects);
    size_t churned_objects, churned_bytes = churn_assorted(&churned_objects);
    printf("truth keep_assorted %zu %zu\n", objects, bytes);
    printf("churn churn_assorted %zu %zu\n", churned_objects, churned_bytes);
    fflush(stdout);
    if (!libleak_dump) {
        fprintf(stderr, "rate_estimate: libleak_dump not available\n");
        return 3;
    }
    if (libleak_dump("rate.pb.gz") != 0) {
        fprintf(stderr, "rate_estimate: libleak_dump: %s\n", strerror(errno));
        return 4;
    }
    for (size_t i = 0; i < objects; i++)
        free(blocks[i]);
    free(blocks);
    return 0;
}
