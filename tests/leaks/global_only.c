/* global_only: blocks whose only pointers are in module data (an initialised global, a
   zero-initialised one, a function's static): still reachable, no leak. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include "corpus.h"

void *kept_in_data = (void *)1;
void *kept_in_bss;

CORPUS_SITE static int keep_in_static(void)
{
    static void *kept_in_static;
    if (!kept_in_static)
        kept_in_static = xmalloc(300);
    return kept_in_static != NULL;
}

CORPUS_SITE static void keep_blocks(void)
{
    kept_in_data = xmalloc(100);
    kept_in_bss = xmalloc(200);
    (void)keep_in_static();
}

int main(void)
{
    keep_blocks();
    scrub_stack();
    return 0;
}
