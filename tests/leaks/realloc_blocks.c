/* realloc_blocks: blocks grown and shrunk by realloc. One ends lost at its last size (1000
   bytes after 10 -> 5000 -> 1000), one is freed after growing, one is kept in a global. The
   gate must count the block at its final size, once. */
//@ main: definitely=1000/1 indirectly=0/0 possibly=0/0 status=23
#include "corpus.h"

void *kept;

CORPUS_SITE static void *resize(void *block, size_t size)
{
    void *moved = realloc(block, size);
    if (!moved)
        abort();
    return moved;
}

CORPUS_SITE static void lose_resized(void)
{
    char *block = resize(NULL, 10);
    block = resize(block, 5000);
    block = resize(block, 1000);
    block = NULL;
}

CORPUS_SITE static void free_resized(void)
{
    char *block = xmalloc(16);
    for (size_t size = 32; size <= 65536; size *= 2)
        block = resize(block, size);
    free(block);
}

int main(void)
{
    lose_resized();
    free_resized();
    kept = resize(resize(NULL, 64), 4096);
    scrub_stack();
    return 0;
}
