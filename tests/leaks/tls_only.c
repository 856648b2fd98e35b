/* tls_only: blocks whose only pointers are in __thread variables: the main thread's, and a
   second thread's that is still alive (blocked) when the program exits. Still reachable. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <pthread.h>
#include <unistd.h>

#include "corpus.h"

static __thread void *kept_in_tls;
static int ready_pipe[2], stop_pipe[2];

CORPUS_SITE static void keep_in_tls(size_t size)
{
    kept_in_tls = xmalloc(size);
}

static void *holder(void *arg)
{
    (void)arg;
    keep_in_tls(700);
    scrub_stack();
    char byte = 1;
    if (write(ready_pipe[1], &byte, 1) != 1)
        abort();
    (void)!read(stop_pipe[0], &byte, 1); /* blocks until the process exits */
    return NULL;
}

int main(void)
{
    pthread_t thread;
    char byte;
    if (pipe(ready_pipe) || pipe(stop_pipe) || pthread_create(&thread, NULL, holder, NULL))
        abort();
    if (read(ready_pipe[0], &byte, 1) != 1)
        abort();
    keep_in_tls(500);
    scrub_stack();
    return 0;
}
