/* running_threads: two threads allocate and free without pause while main exits; each holds a
   block in a local variable all along (still reachable: their stacks and registers are roots).
   Before starting them, main dropped one 777-byte block: the only leak. The check must stop
   the threads (no allocation or free under the scan) and still find exactly that block. */
//@ main: definitely=777/1 indirectly=0/0 possibly=0/0 status=23
#include <pthread.h>
#include <sched.h>

#include "corpus.h"

static volatile int started;

CORPUS_SITE static void lose_block(void)
{
    void *block = xmalloc(777);
    block = NULL;
    (void)block;
}

static void *churner(void *arg)
{
    void *volatile held = xmalloc(96 + (size_t)arg);
    __atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        void *volatile block = malloc(32);
        free(block);
    }
    return held;
}

int main(void)
{
    pthread_t thread;
    lose_block();
    for (long i = 0; i < 2; i++)
        if (pthread_create(&thread, NULL, churner, (void *)i))
            abort();
    while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 2)
        sched_yield();
    scrub_stack();
    return 0;
}
