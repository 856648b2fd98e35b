/*
 * thread_churn: starts and ends ROUNDS x BATCH short-lived threads; each keeps one block from
 * keep_per_thread (freed later by main, a different thread) and allocates and frees a few
 * more. Per-thread state of the library must not pile up or break when threads come and go.
 *   thread_churn [ROUNDS]   prints "truth keep_per_thread N BYTES" (what is live at exit)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"
enum { BATCH = 50, KEEP_SIZE = 72 };
static void **kept;

SITE void keep_per_thread(long index)
{
    kept[index] = malloc(KEEP_SIZE);
    if (!kept[index])
        abort();
    memset(kept[index], 1, KEEP_SIZE);
}

static void *worker(void *arg)
{
    long index = (long)arg;
    keep_per_thread(index);
    for (int i = 0; i < 20; i++) {
        void *p = malloc(100 + (size_t)i * 50);
        if (!p)
            abort();
        free(p);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 40, total = rounds * BATCH;
    kept = calloc((size_t)total, sizeof *kept);
    if (!kept)
        return 2;
    for (long r = 0; r < rounds; r++) {
        pthread_t threads[BATCH];
        for (long t = 0; t < BATCH; t++)
            if (pthread_create(&threads[t], NULL, worker, (void *)(r * BATCH + t)) != 0)
                return 2;
        for (long t = 0; t < BATCH; t++)
            pthread_join(threads[t], NULL);
        for (long t = 0; t < BATCH; t += 2) {
            free(kept[r * BATCH + t]);
            kept[r * BATCH + t] = NULL;
        }
    }
    printf("truth keep_per_thread %ld %ld - -\n", total / 2, total / 2 * KEEP_SIZE);
    return 0;
}
