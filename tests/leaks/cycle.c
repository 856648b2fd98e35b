/* cycle: three blocks pointing at each other in a ring, none pointed at from a root. memcheck
   makes one block of an unreachable clique the definitely lost one and the rest indirectly lost;
   the blocks are the same size, so the bytes do not depend on which one it picks. */
//@ main: definitely=48/1 indirectly=96/2 possibly=0/0 status=23
#include "corpus.h"

struct ring {
    struct ring *next;
    char payload[40];
};

CORPUS_SITE static void lose_ring(void)
{
    struct ring *a = xmalloc(sizeof *a), *b = xmalloc(sizeof *b), *c = xmalloc(sizeof *c);
    a->next = b;
    b->next = c;
    c->next = a;
    a = b = c = NULL;
}

int main(void)
{
    lose_ring();
    scrub_stack();
    return 0;
}
