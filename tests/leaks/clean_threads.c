/* clean_threads: four threads allocate and free, hand blocks to each other through a global
   array, and are joined; main frees what is left. Nothing lost. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <pthread.h>

#include "corpus.h"

enum { THREADS = 4, SLOTS = 64 };
static void *slots[THREADS][SLOTS];

static void *worker(void *arg)
{
    long me = (long)arg;
    for (int round = 0; round < 200; round++) {
        void *local = xmalloc(40 + (size_t)round);
        free(local);
        int slot = round % SLOTS;
        free(slots[me][slot]);
        slots[me][slot] = xmalloc(24 + (size_t)me);
    }
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];
    for (long i = 0; i < THREADS; i++)
        if (pthread_create(&threads[i], NULL, worker, (void *)i))
            abort();
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < THREADS; i++)
        for (int j = 0; j < SLOTS; j++)
            free(slots[i][j]);
    return 0;
}
