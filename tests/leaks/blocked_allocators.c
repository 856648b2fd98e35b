/* blocked_allocators: two threads block every signal and keep allocating and freeing large
   blocks (each its own mapping: a free unmaps it) while main exits; each holds a 300-byte
   block in a local all along (still reachable). The signals-go-to-one-thread pattern: a thread
   that blocks every signal cannot be stopped by one. The scan must stop them all the same (or,
   where it cannot, read memory that vanishes under it without crashing), and buffered stdout
   must come out. Nothing is lost. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>

#include "corpus.h"

static volatile int started;

static void *allocator(void *arg)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    void *volatile held = xmalloc(300);
    __atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        char *volatile block = malloc(256 * 1024 + (size_t)arg);
        block[0] = 1;
        free(block);
    }
    return held;
}

int main(void)
{
    pthread_t thread;
    for (long i = 0; i < 2; i++)
        if (pthread_create(&thread, NULL, allocator, (void *)i))
            abort();
    while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 2)
        sched_yield();
    printf("blocked_allocators: main returns\n"); /* buffered when stdout is a file */
    scrub_stack();
    return 0;
}
