/* quick_exit_clean: quick_exit(0) after at_quick_exit handlers free every block the program
   still holds. quick_exit runs those handlers, then ends the process without exit()'s
   handlers and destructors; the check runs after the handlers, so nothing is lost. main also
   keeps a block in a local across the call: its frame is live, the block still reachable. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include "corpus.h"

static void *freed_first, *freed_last;

static void free_first(void)
{
    free(freed_first);
    freed_first = NULL;
}

static void free_last(void)
{
    free(freed_last);
    freed_last = NULL;
}

CORPUS_SITE static void allocate(void)
{
    freed_first = xmalloc(100);
    freed_last = xmalloc(200);
}

int main(void)
{
    at_quick_exit(free_last); /* handlers run in reverse order: free_first, then free_last */
    at_quick_exit(free_first);
    allocate();
    void *volatile held = xmalloc(50);
    scrub_stack();
    quick_exit(0);
    (void)held;
}
