/* direct: one block whose only pointer is dropped: definitely lost. */
//@ main: definitely=4000/1 indirectly=0/0 possibly=0/0 status=23
#include "corpus.h"

CORPUS_SITE static void lose_block(void)
{
    void *block = xmalloc(4000);
    block = NULL;
    (void)block;
}

int main(void)
{
    lose_block();
    scrub_stack();
    return 0;
}
