/*
 * old_and_churn: the shape of a service an hour in, in seconds: a leak made at start
 * (leak_at_start, 16000 blocks of 4 KiB kept: 64 MB), then requests whose blocks live ~0.1 s
 * (serve_request: a ring of 16 blocks of 4 KiB, one replaced every 5 ms) for SECONDS
 * (argument, default 3.5 s), then a snapshot with libleak_dump("ages.pb.gz"). Prints
 *   truth leak_at_start OBJECTS BYTES
 *   truth serve_request OBJECTS BYTES   (live at the snapshot)
 */
#include <libleak.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "site.h"

#define BLOCK  4096
#define LEAKED 16000
#define RING   16

void *leaked[LEAKED]; /* global: the leak stays reachable */

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

SITE void *leak_at_start(void)
{
    void *p = malloc(BLOCK);
    memset(p, 1, BLOCK);
    return p;
}

SITE void *serve_request(void)
{
    void *p = malloc(BLOCK);
    memset(p, 2, BLOCK);
    return p;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3.5;
    static void *ring[RING];
    for (int i = 0; i < LEAKED; i++)
        leaked[i] = leak_at_start();
    double end = now_seconds() + seconds;
    for (unsigned long i = 0; now_seconds() < end; i++) {
        free(ring[i % RING]);
        ring[i % RING] = serve_request();
        pause_ms(5);
    }
    if (!libleak_dump || libleak_dump("ages.pb.gz") != 0) {
        fprintf(stderr, "old_and_churn: libleak_dump: %s\n",
                libleak_dump ? strerror(errno) : "not available");
        return 2;
    }
    printf("truth leak_at_start %d %d\n", LEAKED, LEAKED * BLOCK);
    printf("truth serve_request %d %d\n", RING, RING * BLOCK);
    return 0;
}
