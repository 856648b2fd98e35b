/* exit3: leaks 512 bytes and exits with status 3: a program that already failed keeps its own
   status (the gate's 23 is only for programs that exited 0). */
//@ main: definitely=512/1 indirectly=0/0 possibly=0/0 status=3
#include "corpus.h"

CORPUS_SITE static void lose_block(void)
{
    void *block = xmalloc(512);
    block = NULL;
    (void)block;
}

int main(void)
{
    lose_block();
    scrub_stack();
    exit(3);
}
