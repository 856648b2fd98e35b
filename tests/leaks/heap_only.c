/* heap_only: blocks whose only pointers are inside other heap blocks (a table reached from a
   global, and a chain hanging off it): still reachable. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include "corpus.h"

struct entry {
    struct entry *next;
    char value[56];
};
static struct entry **table;

CORPUS_SITE static void fill_table(void)
{
    table = xmalloc(8 * sizeof *table);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 3; j++) {
            struct entry *entry = xmalloc(sizeof *entry);
            entry->next = table[i];
            table[i] = entry;
        }
}

int main(void)
{
    fill_table();
    scrub_stack();
    return 0;
}
