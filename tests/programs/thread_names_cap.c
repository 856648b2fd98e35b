/*
 * thread_names_cap — 600 threads, one after another, each naming itself t0x ... t599x (no
 * trailing digits: nothing folds) and allocating 1000 bytes it frees: more names than libleak
 * keeps (512, "other" included), for tests/cases/labels_threads.sh.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "site.h"

SITE static void *named_allocation(void *number)
{
    char name[16];
    snprintf(name, sizeof name, "t%ldx", (long)number);
    pthread_setname_np(pthread_self(), name);
    void *volatile block = malloc(1000);
    free(block);
    return NULL;
}

int main(void)
{
    for (long i = 0; i < 600; i++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, named_allocation, (void *)i) != 0)
            return 1;
        pthread_join(thread, NULL);
    }
    return 0;
}
