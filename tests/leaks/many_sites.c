/* many_sites: leaks from three call stacks (loss records of 5 x 100, 2 x 3000 and 1 x 50
   bytes), one lost tree (a root of 64 bytes with 4 children of 16 bytes, indirectly lost), and
   reachable blocks from the same sites. */
//@ main: definitely=6614/9 indirectly=64/4 possibly=0/0 status=23
#include "corpus.h"

void *kept[3];

CORPUS_SITE static void *small_site(void)
{
    return xmalloc(100);
}
CORPUS_SITE static void *large_site(void)
{
    return xmalloc(3000);
}
CORPUS_SITE static void *tiny_site(void)
{
    return xmalloc(50);
}

CORPUS_SITE static void lose_tree(void)
{
    void **root = xmalloc(64);
    for (int i = 0; i < 4; i++)
        root[i] = xmalloc(16);
    root = NULL;
}

CORPUS_SITE static void lose_all(void)
{
    for (int i = 0; i < 5; i++)
        (void)small_site();
    for (int i = 0; i < 2; i++)
        (void)large_site();
    (void)tiny_site();
    lose_tree();
}

int main(void)
{
    lose_all();
    kept[0] = small_site();
    kept[1] = large_site();
    kept[2] = tiny_site();
    scrub_stack();
    return 0;
}
