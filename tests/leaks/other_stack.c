/* other_stack: a block whose only pointer is a local variable of another thread, still blocked
   when the program exits: still reachable (threads' stacks are roots). */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <pthread.h>
#include <unistd.h>

#include "corpus.h"

static int ready_pipe[2], stop_pipe[2];

static void *holder(void *arg)
{
    (void)arg;
    void *volatile on_my_stack = xmalloc(640);
    char byte = 1;
    if (write(ready_pipe[1], &byte, 1) != 1)
        abort();
    (void)!read(stop_pipe[0], &byte, 1); /* blocks until the process exits */
    return on_my_stack;
}

int main(void)
{
    pthread_t thread;
    char byte;
    if (pipe(ready_pipe) || pipe(stop_pipe) || pthread_create(&thread, NULL, holder, NULL))
        abort();
    if (read(ready_pipe[0], &byte, 1) != 1)
        abort();
    scrub_stack();
    return 0;
}
