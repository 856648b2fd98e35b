/*
 * dump_race: THREADS threads each call libleak_dump(NULL) DUMPS times at once, while others
 * allocate, so that the library's sequence numbers, temporary names and renames race. Prints
 * on stdout "dumps ok N" (N = successful dumps) or "dumps failed N" with each failure's errno on
 * stderr; exit status 0 only when every dump succeeded.
 */
#include <libleak.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"
enum { THREADS = 6, DUMPS = 5, CHURNERS = 2 };
static volatile int stop;
static pthread_barrier_t start;
static int failures;

SITE void churn(void)
{
    void *p = malloc(500);
    if (!p)
        abort();
    memset(p, 1, 500);
    free(p);
}

static void *churner(void *arg)
{
    (void)arg;
    while (!stop)
        churn();
    return NULL;
}

static void *dumper(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);
    for (int i = 0; i < DUMPS; i++)
        if (libleak_dump(NULL) != 0) {
            fprintf(stderr, "dump_race: libleak_dump(NULL): %s\n", strerror(errno));
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        }
    return NULL;
}

int main(void)
{
    if (!libleak_dump) {
        fprintf(stderr, "dump_race: needs the library\n");
        return 3;
    }
    pthread_t churners[CHURNERS], dumpers[THREADS];
    pthread_barrier_init(&start, NULL, THREADS);
    for (int t = 0; t < CHURNERS; t++)
        pthread_create(&churners[t], NULL, churner, NULL);
    for (int t = 0; t < THREADS; t++)
        pthread_create(&dumpers[t], NULL, dumper, NULL);
    for (int t = 0; t < THREADS; t++)
        pthread_join(dumpers[t], NULL);
    stop = 1;
    for (int t = 0; t < CHURNERS; t++)
        pthread_join(churners[t], NULL);
    if (failures) {
        printf("dumps failed %d\n", failures);
        return 1;
    }
    printf("dumps ok %d\n", THREADS * DUMPS);
    return 0;
}
