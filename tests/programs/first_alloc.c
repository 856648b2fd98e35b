/*
 * first_alloc MODE: allocations that are a thread's first, kept until exit, for
 * tests/cases/lib_first_allocation.sh.
 *   main     the main thread's first allocation is 256 MiB (never touched, so it costs no RAM)
 *   threads  100 threads each allocate one 4 MiB block as their first allocation
 *   huge     mallocs of 2^63 + 2^62 and of 2^63 bytes (they fail), then 1000 blocks of 1 MiB: the
 *            failed requests must neither overflow the countdown (undefined behaviour) nor push
 *            it out of reach
 * Prints the bytes it keeps.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"

enum { THREADS = 100 };
static void *kept[THREADS];

SITE static void *first_block(size_t size)
{
    return malloc(size);
}

static void *thread_main(void *argument)
{
    kept[(intptr_t)argument] = first_block(4u << 20);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "main";
    if (strcmp(mode, "main") == 0) {
        /* No stdio before: printf may allocate its buffer first. */
        void *block = first_block(256u << 20);
        printf("%d\n", block ? 256 << 20 : 0);
        return block ? 0 : 1;
    }
    if (strcmp(mode, "threads") == 0) {
        pthread_t threads[THREADS];
        for (intptr_t i = 0; i < THREADS; i++)
            if (pthread_create(&threads[i], NULL, thread_main, (void *)i) != 0)
                return 1;
        for (int i = 0; i < THREADS; i++)
            pthread_join(threads[i], NULL);
        long long total = 0;
        for (int i = 0; i < THREADS; i++)
            total += kept[i] ? 4 << 20 : 0;
        printf("%lld\n", total);
        return 0;
    }
    if (strcmp(mode, "huge") == 0) {
        volatile size_t huge = ((size_t)1 << 63) | ((size_t)1 << 62);
        if (malloc(huge) != NULL)
            return 1;
        huge = (size_t)1 << 63; /* as int64_t, INT64_MIN: countdown - it overflowed (UB) */
        if (malloc(huge) != NULL)
            return 1;
        int kept_blocks = 0;
        for (int i = 0; i < 1000; i++)
            kept_blocks += first_block(1u << 20) != NULL; /* kept: never freed */
        printf("%d\n", kept_blocks << 20);
        return 0;
    }
    return 2;
}
