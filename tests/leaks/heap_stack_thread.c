/* heap_stack_thread: a thread runs on a stack the program malloc'ed (pthread_attr_setstack;
   64 KiB, inside [heap]) and sleeps there at exit. Before, main lost a 1,000-byte block whose
   only pointer stays in a freed chunk after the stack. memcheck scans the thread's stack only
   (definitely lost); a scan that reads from the thread's sp to the end of [heap] reads the
   freed chunk too and hides the leak. */
//@ main: definitely=1000/1 indirectly=0/0 possibly=0/0 status=23
#include <pthread.h>
#include <unistd.h>

#include "corpus.h"

#define STACK_BYTES (64 * 1024)

static volatile int started;

CORPUS_SITE static void lose_block_behind_a_freed_chunk(void)
{
    void *lost = xmalloc(1000);
    void **holder = xmalloc(64);
    holder[4] = lost; /* free() overwrites only the first words of a chunk */
    free(holder);
}

static void *sleeper(void *unused)
{
    (void)unused;
    started = 1;
    for (;;)
        pause();
    return NULL;
}

int main(void)
{
    void *stack = xmalloc(STACK_BYTES);
    lose_block_behind_a_freed_chunk();
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstack(&attributes, stack, STACK_BYTES);
    pthread_t thread;
    if (pthread_create(&thread, &attributes, sleeper, NULL))
        abort();
    while (!started)
        usleep(1000);
    usleep(20000);
    scrub_stack();
    return 0;
}
