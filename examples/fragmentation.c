/*
 * fragmentation — resident memory grows, the heap in use does not: not a leak.
 *
 * A server adds two worker threads per phase (up to 16). In each phase every worker handles
 * one request: it builds a 3 MiB working set out of 2 KiB blocks, opens a small session
 * record that outlives the request (the previous one is closed), and frees the working set
 * in shuffled order. glibc gives each concurrently running thread an arena of its own
 * (up to 8 per core); a freed working set stays in its arena, below the session record
 * that sits at the arena's top, so the arena cannot shrink. Each new worker therefore adds
 * about 3 MiB of resident memory that no live block accounts for: the in-use heap stays at
 * a few kilobytes (16 sessions of 64 bytes) while resident memory climbs phase after phase.
 *
 * A heap profiler that shows only the sampled in-use bytes would call this healthy, and a
 * dashboard that shows only resident memory would call it a leak. libleak writes both into
 * every profile (comments "resident memory: ..." and "allocator (glibc mallinfo2): ..."),
 * and `leakprof growth` sets them side by side:
 *
 *     LIBLEAK_OUT=frag.%n.heap.pb.gz LD_PRELOAD=$PWD/build/libleak.so build/examples/fragmentation
 *     build/leakprof growth frag.000?.heap.pb.gz
 *       -> resident +30MB or so, estimate flat: "Resident memory grew while the in-use
 *          estimate did not ... not a leak of live blocks."
 *     build/leakprof info frag.0008.heap.pb.gz
 *       -> "Malloc'd: ... in use (glibc), ... free in its arenas": the freed working sets
 *
 * Under libleak it writes a profile at the end of each phase (libleak_dump, a weak symbol:
 * without the library it runs all the same). MALLOC_ARENA_MAX=1 makes the growth go away.
 * The first profile's "malloc'd" and resident figures also hold the symbolizer's own work
 * (libdw allocates with the program's malloc while the first profile is written).
 * `make example-fragmentation` runs it and shows both (examples/classic.sh).
 *
 * Usage: fragmentation [-p PHASES]   (default 8, at most 8)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WORKERS       16
#define WORKERS_PER_PHASE 2
#define BLOCK_BYTES       2048
#define BLOCKS            1536 /* 3 MiB per working set */
#define SESSION_BYTES     64

int libleak_dump(const char *path) __attribute__((weak));

/* Main opens a phase; each worker of it does one request and reports back. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int current_phase = -1, busy_workers;
static int phases = 8;
static volatile unsigned long checksum;

/* A small deterministic generator: every run frees in the same shuffled order. */
static unsigned long next_random(unsigned long *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

__attribute__((noinline)) unsigned char **build_working_set(void)
{
    unsigned char **blocks = malloc(BLOCKS * sizeof *blocks);
    for (int i = 0; blocks && i < BLOCKS; i++) {
        blocks[i] = malloc(BLOCK_BYTES);
        if (blocks[i])
            memset(blocks[i], i & 0xff, BLOCK_BYTES); /* resident, not just reserved */
    }
    return blocks;
}

__attribute__((noinline)) void free_out_of_order(unsigned char **blocks, unsigned long *seed)
{
    for (int i = BLOCKS - 1; i > 0; i--) { /* Fisher-Yates */
        int j = (int)(next_random(seed) % (unsigned long)(i + 1));
        unsigned char *t = blocks[i];
        blocks[i] = blocks[j];
        blocks[j] = t;
    }
    for (int i = 0; i < BLOCKS; i++) {
        checksum += blocks[i] ? blocks[i][0] : 0;
        free(blocks[i]);
    }
}

__attribute__((noinline)) void *open_session(unsigned long id)
{
    unsigned char *session = malloc(SESSION_BYTES);
    if (session)
        memset(session, (int)(id & 0xff), SESSION_BYTES);
    return session;
}

static void *worker_main(void *argument)
{
    unsigned long seed = 0x9e3779b97f4a7c15ul ^ (unsigned long)(uintptr_t)argument;
    int first_phase = (int)(uintptr_t)argument / WORKERS_PER_PHASE;
    void *session = NULL;
    for (int phase = first_phase; phase < phases; phase++) {
        pthread_mutex_lock(&lock);
        while (current_phase < phase)
            pthread_cond_wait(&changed, &lock);
        pthread_mutex_unlock(&lock);
        unsigned char **blocks = build_working_set();
        void *next_session = open_session((unsigned long)phase); /* above the working set */
        free(session);
        session = next_session;
        if (blocks) {
            free_out_of_order(blocks, &seed);
            free(blocks);
        }
        pthread_mutex_lock(&lock);
        busy_workers--;
        pthread_cond_broadcast(&changed);
        pthread_mutex_unlock(&lock);
    }
    /* Close the session only once main has taken its last profile: freeing the block at the
       top of the arena lets glibc trim it, and the last profile would not show the growth. */
    pthread_mutex_lock(&lock);
    while (current_phase < phases)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    free(session);
    return NULL;
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "p:")) != -1) {
        if (opt != 'p' || (phases = atoi(optarg)) < 1 || phases > MAX_WORKERS / WORKERS_PER_PHASE) {
            fprintf(stderr, "usage: fragmentation [-p PHASES]   (1 to %d)\n", MAX_WORKERS / WORKERS_PER_PHASE);
            return 2;
        }
    }
    pthread_t workers[MAX_WORKERS];
    int started = 0;
    for (int phase = 0; phase < phases; phase++) {
        int count = (phase + 1) * WORKERS_PER_PHASE;
        for (; started < count; started++)
            pthread_create(&workers[started], NULL, worker_main, (void *)(uintptr_t)started);
        pthread_mutex_lock(&lock);
        current_phase = phase;
        busy_workers = count;
        pthread_cond_broadcast(&changed);
        while (busy_workers > 0)
            pthread_cond_wait(&changed, &lock);
        pthread_mutex_unlock(&lock);
        /* Every worker is idle now: the profile sees no working set, only the sessions. */
        if (libleak_dump)
            libleak_dump(NULL);
        printf("fragmentation: phase %d, %d workers\n", phase + 1, count);
        fflush(stdout);
    }
    pthread_mutex_lock(&lock);
    current_phase = phases;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < started; i++)
        pthread_join(workers[i], NULL);
    return 0;
}
