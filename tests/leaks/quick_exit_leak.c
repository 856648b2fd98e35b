/* quick_exit_leak: leaks, then quick_exit(0). A block lost before the call and one whose only
   pointer an at_quick_exit handler drops are definitely lost (the check runs after the
   handlers); one freed by another handler is not; one an atexit handler would free is still
   reachable from its global (quick_exit runs no atexit handler). The gate's status: 23. */
//@ main: definitely=1000/2 indirectly=0/0 possibly=0/0 status=23
#include "corpus.h"

static void *freed_by_handler, *dropped_by_handler, *freed_by_atexit;

static void at_quick(void)
{
    free(freed_by_handler);
    freed_by_handler = NULL;
    dropped_by_handler = NULL;
}

static void at_exit_only(void)
{
    free(freed_by_atexit);
    freed_by_atexit = NULL;
}

CORPUS_SITE static void lose_block(void)
{
    void *block = xmalloc(700);
    block = NULL;
    (void)block;
}

CORPUS_SITE static void allocate(void)
{
    freed_by_handler = xmalloc(111);
    dropped_by_handler = xmalloc(300);
    freed_by_atexit = xmalloc(222);
}

int main(void)
{
    at_quick_exit(at_quick);
    atexit(at_exit_only);
    allocate();
    lose_block();
    scrub_stack();
    quick_exit(0);
}
