/*
 * cancel_malloc — malloc must not be a cancellation point (tests/cases/lib_cancel_malloc.sh).
 *
 * 20 threads, each with a deferred cancellation already pending (main cancels them all before
 * letting them start), loop over malloc and free; the only cancellation point they reach on
 * purpose is the pthread_testcancel after the loop. Bare, every thread finishes its loop and is
 * then cancelled there. A library whose allocation path calls open(), read(), write(),
 * nanosleep()... acts on the pending cancellation inside malloc: the thread dies mid-loop, and
 * the block being allocated leaks.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { THREADS = 20, ROUNDS = 20000 };

static atomic_int go;
static atomic_int finished_loops;

static void *looper(void *argument)
{
    (void)argument;
    while (!atomic_load(&go))
        ; /* no cancellation point: spin until main has cancelled every thread */
    unsigned long sum = 0;
    for (int i = 0; i < ROUNDS; i++) {
        size_t size = 64 + (size_t)(i % 16) * 128; /* ~1 KB on average: many samples at 512 KiB */
        unsigned char *block = malloc(size);
        if (!block)
            abort();
        block[0] = (unsigned char)i;
        sum += block[0];
        free(block);
    }
    if (sum == 0)
        abort();
    atomic_fetch_add(&finished_loops, 1);
    pthread_testcancel();
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&threads[i], NULL, looper, NULL) != 0)
            return 2;
    for (int i = 0; i < THREADS; i++)
        pthread_cancel(threads[i]);
    atomic_store(&go, 1);
    int cancelled = 0;
    for (int i = 0; i < THREADS; i++) {
        void *result;
        pthread_join(threads[i], &result);
        cancelled += result == PTHREAD_CANCELED;
    }
    printf("%d of %d threads finished their loop; %d cancelled\n", atomic_load(&finished_loops), THREADS,
           cancelled);
    return 0;
}
