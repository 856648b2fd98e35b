/* aligned: the aligned allocators (posix_memalign 100 bytes, aligned_alloc 256, memalign 80,
   valloc 4096, calloc 10 x 30) each leave one block, definitely lost at its requested size. */
//@ main: definitely=4832/5 indirectly=0/0 possibly=0/0 status=23
#include <malloc.h>

#include "corpus.h"

CORPUS_SITE static void lose_aligned(void)
{
    void *blocks[5];
    if (posix_memalign(&blocks[0], 64, 100))
        abort();
    blocks[1] = aligned_alloc(128, 256);
    blocks[2] = memalign(32, 80);
    blocks[3] = valloc(4096);
    blocks[4] = calloc(10, 30);
    for (int i = 0; i < 5; i++) {
        if (!blocks[i])
            abort();
        blocks[i] = NULL;
    }
}

int main(void)
{
    lose_aligned();
    scrub_stack();
    return 0;
}
