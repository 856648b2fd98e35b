/*
 * gate_small_stack [thread]: leaks 500 bytes (lose_on_small_stack), then calls exit(0): from
 * main (run it under a small `ulimit -s`), or with "thread" from a thread whose stack is
 * PTHREAD_STACK_MIN (16 KiB on x86-64) while main waits. The leak gate's report names the
 * frames with libdw, which takes far more stack than that: it must run on a stack of the
 * library's own (tests/cases/gate_small_stack.sh).
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "site.h"
#define SCRUB_STACK_BYTES 2048
#include "scrub_stack.h"

SITE void lose_on_small_stack(void)
{
    void *volatile block = malloc(500);
    memset(block, 1, 500);
    block = NULL;
}

static void *leak_and_exit(void *unused)
{
    (void)unused;
    lose_on_small_stack();
    scrub_stack();
    exit(0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "thread") == 0) {
        pthread_attr_t attributes;
        pthread_t thread;
        pthread_attr_init(&attributes);
        pthread_attr_setstacksize(&attributes, PTHREAD_STACK_MIN);
        if (pthread_create(&thread, &attributes, leak_and_exit, NULL))
            abort();
        for (;;)
            pause();
    }
    leak_and_exit(NULL);
}
