/* atexit_free: the only pointers to two blocks are dropped from the globals by an atexit
   handler and a destructor that free them. The check runs after both: nothing lost. A third
   block is dropped by an atexit handler without freeing it: definitely lost (the handler ran
   before the check). */
//@ main: definitely=333/1 indirectly=0/0 possibly=0/0 status=23
#include "corpus.h"

static void *freed_by_atexit, *freed_by_destructor, *dropped_by_atexit;

static void free_at_exit(void)
{
    free(freed_by_atexit);
    freed_by_atexit = NULL;
    dropped_by_atexit = NULL;
}

__attribute__((destructor)) static void free_in_destructor(void)
{
    free(freed_by_destructor);
    freed_by_destructor = NULL;
}

int main(void)
{
    freed_by_atexit = xmalloc(111);
    freed_by_destructor = xmalloc(222);
    dropped_by_atexit = xmalloc(333);
    atexit(free_at_exit);
    scrub_stack();
    return 0;
}
