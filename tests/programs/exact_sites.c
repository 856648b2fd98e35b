/*
 * exact_sites: allocates and frees known amounts from distinctly named call sites, on several
 * threads, and prints the truth for each site so that a test can compare it with the profile
 * written under LIBLEAK_RATE=1 (exact mode).
 *
 * Lines on stdout:
 *   dump FUNC inuse_objects inuse_space alloc_objects alloc_space   at libleak_dump("x.pb.gz")
 *   exit FUNC ...                                                   in the exit profile
 * ("-" where the number depends on how realloc is counted, so the test does not check it).
 *
 * Sites: keep_small (kept 100 B blocks), keep_big (kept 64 KiB blocks), transient (allocated
 * and freed at once), grow_buffer (realloc growth), shrink_buffer (realloc shrink), keep_calloc,
 * handoff_alloc (blocks freed by another thread, in handoff_free). After the dump, a thread
 * other than the allocating ones frees every kept block, so the exit profile has nothing in use
 * at these sites.
 */
#include <libleak.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"

enum {
    WORKERS = 4,
    SMALL_COUNT = 1000,
    SMALL_SIZE = 100,
    BIG_COUNT = 8,
    BIG_SIZE = 64 * 1024,
    TRANSIENT_COUNT = 5000,
    TRANSIENT_SIZE = 1000,
    GROW_START = 16,
    GROW_STEPS = 10, /* 16 -> 16 << 10 = 16384 */
    SHRINK_FROM = 10000,
    SHRINK_TO = 100,
    CALLOC_COUNT = 300,
    CALLOC_N = 7,
    CALLOC_SIZE = 48,
    HANDOFF_COUNT = 2000,
    HANDOFF_SIZE = 200,
};

struct worker {
    pthread_t thread;
    void *small[SMALL_COUNT];
    void *big[BIG_COUNT];
    void *grown, *shrunk;
    void *callocs[CALLOC_COUNT];
    void *handoff[HANDOFF_COUNT];
};

static struct worker workers[WORKERS];
void *volatile sink; /* keeps the compiler from eliding a malloc/free pair */

static void touch(void *p, size_t n)
{
    if (!p) {
        fprintf(stderr, "exact_sites: allocation failed: %s\n", strerror(errno));
        exit(2);
    }
    memset(p, 0xab, n);
    sink = p;
}

SITE void keep_small(struct worker *w)
{
    for (int i = 0; i < SMALL_COUNT; i++) {
        w->small[i] = malloc(SMALL_SIZE);
        touch(w->small[i], SMALL_SIZE);
    }
}

SITE void keep_big(struct worker *w)
{
    for (int i = 0; i < BIG_COUNT; i++) {
        w->big[i] = malloc(BIG_SIZE);
        touch(w->big[i], BIG_SIZE);
    }
}

SITE void transient(void)
{
    for (int i = 0; i < TRANSIENT_COUNT; i++) {
        void *p = malloc(TRANSIENT_SIZE);
        touch(p, 8);
        free(p);
    }
}

SITE void grow_buffer(struct worker *w)
{
    size_t size = GROW_START;
    void *p = realloc(NULL, size);
    touch(p, size);
    for (int i = 0; i < GROW_STEPS; i++) {
        size *= 2;
        p = realloc(p, size);
        touch(p, size);
    }
    w->grown = p;
}

SITE void shrink_buffer(struct worker *w)
{
    void *p = malloc(SHRINK_FROM);
    touch(p, SHRINK_FROM);
    p = realloc(p, SHRINK_TO);
    touch(p, SHRINK_TO);
    w->shrunk = p;
}

SITE void keep_calloc(struct worker *w)
{
    for (int i = 0; i < CALLOC_COUNT; i++) {
        w->callocs[i] = calloc(CALLOC_N, CALLOC_SIZE);
        touch(w->callocs[i], CALLOC_N * CALLOC_SIZE);
    }
}

SITE void handoff_alloc(struct worker *w)
{
    for (int i = 0; i < HANDOFF_COUNT; i++) {
        w->handoff[i] = malloc(HANDOFF_SIZE);
        touch(w->handoff[i], HANDOFF_SIZE);
    }
}

/* Runs on a thread that did not allocate the blocks: frees the even-numbered half. */
SITE void handoff_free(struct worker *w)
{
    for (int i = 0; i < HANDOFF_COUNT; i += 2) {
        free(w->handoff[i]);
        w->handoff[i] = NULL;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    keep_small(w);
    transient();
    keep_big(w);
    grow_buffer(w);
    shrink_buffer(w);
    keep_calloc(w);
    handoff_alloc(w);
    return NULL;
}

static void *handoff_main(void *arg)
{
    (void)arg;
    for (int t = 0; t < WORKERS; t++)
        handoff_free(&workers[t]);
    return NULL;
}

SITE void release_all(void)
{
    for (int t = 0; t < WORKERS; t++) {
        struct worker *w = &workers[t];
        for (int i = 0; i < SMALL_COUNT; i++)
            free(w->small[i]);
        for (int i = 0; i < BIG_COUNT; i++)
            free(w->big[i]);
        free(w->grown);
        free(w->shrunk);
        for (int i = 0; i < CALLOC_COUNT; i++)
            free(w->callocs[i]);
        for (int i = 0; i < HANDOFF_COUNT; i++)
            free(w->handoff[i]);
    }
}

static void *release_main(void *arg)
{
    (void)arg;
    release_all();
    return NULL;
}

static void run_thread(void *(*fn)(void *))
{
    pthread_t t;
    if (pthread_create(&t, NULL, fn, NULL) != 0 || pthread_join(t, NULL) != 0) {
        fprintf(stderr, "exact_sites: thread failed\n");
        exit(2);
    }
}

static void expect(const char *when, const char *fn, long io, long is, long ao, long as)
{
    printf("%s %s %ld %ld ", when, fn, io, is);
    if (ao < 0)
        printf("- -\n");
    else
        printf("%ld %ld\n", ao, as);
}

static void print_truth(const char *when, int released)
{
    long w = WORKERS, live = released ? 0 : 1;
    expect(when, "keep_small", live * w * SMALL_COUNT, live * w * SMALL_COUNT * SMALL_SIZE, w * SMALL_COUNT,
           w * SMALL_COUNT * SMALL_SIZE);
    expect(when, "keep_big", live * w * BIG_COUNT, live * w * BIG_COUNT * BIG_SIZE, w * BIG_COUNT,
           w * BIG_COUNT * BIG_SIZE);
    expect(when, "transient", 0, 0, w * TRANSIENT_COUNT, w * TRANSIENT_COUNT * TRANSIENT_SIZE);
    expect(when, "grow_buffer", live * w, live * w * (GROW_START << GROW_STEPS), -1, -1);
    expect(when, "shrink_buffer", live * w, live * w * SHRINK_TO, -1, -1);
    expect(when, "keep_calloc", live * w * CALLOC_COUNT, live * w * CALLOC_COUNT * CALLOC_N * CALLOC_SIZE,
           w * CALLOC_COUNT, w * CALLOC_COUNT * CALLOC_N * CALLOC_SIZE);
    expect(when, "handoff_alloc", live * w * HANDOFF_COUNT / 2, live * w * HANDOFF_COUNT / 2 * HANDOFF_SIZE,
           w * HANDOFF_COUNT, w * HANDOFF_COUNT * HANDOFF_SIZE);
}

int main(void)
{
    for (int t = 0; t < WORKERS; t++)
        if (pthread_create(&workers[t].thread, NULL, worker_main, &workers[t]) != 0)
            return 2;
    for (int t = 0; t < WORKERS; t++)
        pthread_join(workers[t].thread, NULL);
    run_thread(handoff_main);

    print_truth("dump", 0);
    fflush(stdout);
    if (libleak_dump) {
        int rc = libleak_dump("x.pb.gz");
        fprintf(stderr, "libleak_dump(\"x.pb.gz\") = %d%s%s\n", rc, rc ? ": " : "",
                rc ? strerror(errno) : "");
    } else {
        fprintf(stderr, "libleak_dump: not available (library not preloaded)\n");
    }

    run_thread(release_main);
    print_truth("exit", 1);
    return 0;
}
