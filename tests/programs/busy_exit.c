/*
 * busy_exit: main returns while THREADS threads are still allocating, reallocating and
 * freeing, so the exit profile is written while the heap is busy. Prints "bye"; exit status 0.
 *   busy_exit [MILLISECONDS]   how long to let the threads run first (default 200)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "site.h"
enum { THREADS = 6, SLOTS = 256 };

SITE void *busy_alloc(size_t size)
{
    char *p = malloc(size);
    if (!p)
        abort();
    p[0] = 1;
    return p;
}

static void *busy(void *arg)
{
    unsigned seed = (unsigned)(size_t)arg * 2654435761u;
    void *slots[SLOTS] = {0};
    for (;;) {
        seed = seed * 1103515245u + 12345u;
        unsigned i = (seed >> 8) % SLOTS;
        size_t size = 8 + (seed >> 4) % 3000;
        if (!slots[i])
            slots[i] = busy_alloc(size);
        else if (seed & 1) {
            free(slots[i]);
            slots[i] = NULL;
        } else {
            void *q = realloc(slots[i], size);
            if (!q)
                abort();
            slots[i] = q;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long ms = argc > 1 ? atol(argv[1]) : 200;
    pthread_t thread;
    for (long t = 0; t < THREADS; t++)
        if (pthread_create(&thread, NULL, busy, (void *)t) != 0)
            return 2;
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&pause, NULL);
    printf("bye\n");
    return 0;
}
