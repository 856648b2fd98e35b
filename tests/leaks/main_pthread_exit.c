/* main_pthread_exit: main starts a worker and ends with pthread_exit; the worker drops a block
   and returns, and the process ends when its last thread does (glibc calls exit(0) there). Under
   the library it used to hang for ever: the dumper thread, counted by glibc as a thread of the
   program, never finished (issue 15, case 1). Definitely lost; the status is the gate's. */
//@ main: definitely=700/1 indirectly=0/0 possibly=0/0 status=23
#include <pthread.h>
#include <unistd.h>

#include "corpus.h"

CORPUS_SITE static void lose_block(void)
{
    void *block = xmalloc(700);
    block = NULL;
    (void)block;
}

static void *worker(void *arg)
{
    (void)arg;
    usleep(100 * 1000); /* main is gone by then */
    lose_block();
    scrub_stack();
    return NULL;
}

int main(void)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, worker, NULL))
        abort();
    pthread_exit(NULL);
}
