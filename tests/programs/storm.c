/*
 * storm: THREADS threads allocate, reallocate and free in a fixed, seeded pattern (keeping a
 * window of live blocks, some freed by a neighbouring thread) while a test sends signals. The
 * output depends only on the arguments, so a run under the library must print exactly what a
 * run without it prints.
 *   storm [ROUNDS [wait]]   prints "started", one checksum line per thread, then "done"
 * With "wait", the threads go on allocating after their ROUNDS (without changing the output)
 * until a file named "go" appears in the working directory (at most 120 s), so that a test can
 * be sure its signals arrive while they allocate.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "site.h"
enum { THREADS = 8, WINDOW = 512 };

struct lane {
    pthread_t thread;
    int index;
    long rounds;
    uint64_t checksum;
    void *mailbox[WINDOW]; /* blocks left for the next thread to free */
    pthread_mutex_t lock;
};
static struct lane lanes[THREADS];
static volatile int keep_going;

static uint64_t next(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return *state >> 33;
}

SITE void *storm_alloc(uint64_t *rng, size_t *size)
{
    uint64_t r = next(rng);
    *size = (r & 7) == 0 ? 4096 + r % 60000 : 8 + r % 500;
    unsigned char *p = (r & 15) == 1 ? calloc(1, *size) : malloc(*size);
    if (!p) {
        fprintf(stderr, "storm: allocation failed\n");
        exit(2);
    }
    p[0] = (unsigned char)r;
    p[*size - 1] = (unsigned char)(r >> 8);
    return p;
}

SITE void *storm_grow(void *p, size_t *size)
{
    unsigned char first = *(unsigned char *)p;
    *size *= 2;
    unsigned char *q = realloc(p, *size);
    if (!q) {
        fprintf(stderr, "storm: realloc failed\n");
        exit(2);
    }
    q[*size - 1] = first;
    return q;
}

static void *lane_main(void *arg)
{
    struct lane *lane = arg, *neighbour = &lanes[(lane->index + 1) % THREADS];
    uint64_t rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(lane->index + 1);
    void *window[WINDOW] = {0};
    size_t sizes[WINDOW] = {0};
    uint64_t extra = 0;
    for (long round = 0; round < lane->rounds || __atomic_load_n(&keep_going, __ATOMIC_RELAXED); round++) {
        uint64_t *checksum = round < lane->rounds ? &lane->checksum : &extra;
        for (int i = 0; i < WINDOW; i++) {
            if (window[i]) {
                unsigned char *p = window[i];
                *checksum = *checksum * 31 + p[0] + p[sizes[i] - 1];
                uint64_t what = next(&rng) % 4;
                if (what == 0) {
                    window[i] = storm_grow(p, &sizes[i]);
                    continue;
                }
                if (what == 1) { /* hand it to the neighbour, free what it left us */
                    pthread_mutex_lock(&neighbour->lock);
                    void *old = neighbour->mailbox[i];
                    neighbour->mailbox[i] = p;
                    pthread_mutex_unlock(&neighbour->lock);
                    free(old);
                } else {
                    free(p);
                }
            }
            window[i] = storm_alloc(&rng, &sizes[i]);
        }
    }
    for (int i = 0; i < WINDOW; i++)
        free(window[i]);
    return NULL;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 200;
    int wait = argc > 2 && strcmp(argv[2], "wait") == 0;
    if (wait)
        keep_going = 1;
    printf("started\n");
    fflush(stdout);
    for (int t = 0; t < THREADS; t++) {
        lanes[t].index = t;
        lanes[t].rounds = rounds;
        pthread_mutex_init(&lanes[t].lock, NULL);
    }
    for (int t = 0; t < THREADS; t++)
        if (pthread_create(&lanes[t].thread, NULL, lane_main, &lanes[t]) != 0)
            return 2;
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; wait && i < 12000 && access("go", F_OK) != 0; i++)
        nanosleep(&tick, NULL);
    __atomic_store_n(&keep_going, 0, __ATOMIC_RELAXED);
    for (int t = 0; t < THREADS; t++)
        pthread_join(lanes[t].thread, NULL);
    for (int t = 0; t < THREADS; t++) {
        printf("lane %d checksum %016llx\n", t, (unsigned long long)lanes[t].checksum);
        for (int i = 0; i < WINDOW; i++)
            free(lanes[t].mailbox[i]);
    }
    printf("done\n");
    return 0;
}
