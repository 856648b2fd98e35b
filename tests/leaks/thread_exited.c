/* thread_exited: a thread drops a block and exits (joined) before the program ends. Its stack
   is gone (glibc may keep it cached for reuse, so the thread wipes its stack before exiting
   and the stale pointer cannot be found there). Definitely lost. */
//@ main: definitely=1000/1 indirectly=0/0 possibly=0/0 status=23
#include <pthread.h>

#include "corpus.h"

CORPUS_SITE static void lose_block(void)
{
    void *block = xmalloc(1000);
    block = NULL;
    (void)block;
}

static void *worker(void *arg)
{
    (void)arg;
    lose_block();
    scrub_stack();
    return NULL;
}

int main(void)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, worker, NULL) || pthread_join(thread, NULL))
        abort();
    scrub_stack();
    return 0;
}
