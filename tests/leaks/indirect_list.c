/* indirect_list: a linked list of 10 nodes whose head pointer is dropped. The head is
   definitely lost; the 9 nodes after it are reachable only from it: indirectly lost. */
//@ main: definitely=32/1 indirectly=288/9 possibly=0/0 status=23
#include "corpus.h"

struct node {
    struct node *next;
    char payload[24];
};

CORPUS_SITE static void lose_list(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 10; i++) {
        struct node *node = xmalloc(sizeof *node);
        node->next = head;
        head = node;
    }
    head = NULL;
}

int main(void)
{
    lose_list();
    scrub_stack();
    return 0;
}
