/* named_threads: two threads with different names drop a block each from the same call stack.
   Profiles label samples by thread name (one stack record per name); memcheck groups the
   blocks by stack alone, and so must the gate's report: one loss record of 2 blocks. */
//@ main: definitely=1600/2 indirectly=0/0 possibly=0/0 status=23
#include <pthread.h>

#include "corpus.h"

CORPUS_SITE static void lose_block(void)
{
    void *block = xmalloc(800);
    block = NULL;
    (void)block;
}

static void *worker(void *name)
{
    pthread_setname_np(pthread_self(), name);
    lose_block();
    scrub_stack();
    return NULL;
}

int main(void)
{
    static char alpha[] = "alpha", beta[] = "beta";
    pthread_t first, second;
    if (pthread_create(&first, NULL, worker, alpha) || pthread_join(first, NULL))
        abort();
    if (pthread_create(&second, NULL, worker, beta) || pthread_join(second, NULL))
        abort();
    scrub_stack();
    return 0;
}
