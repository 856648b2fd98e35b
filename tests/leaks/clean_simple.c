/* clean_simple: allocates, uses and frees everything (malloc, calloc, realloc, strdup): no
   block left, the gate passes. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <stdio.h>

#include "corpus.h"

int main(void)
{
    char *blocks[100];
    for (int i = 0; i < 100; i++)
        blocks[i] = xmalloc(16 + (size_t)i * 8);
    for (int i = 0; i < 100; i += 2)
        free(blocks[i]);
    for (int i = 1; i < 100; i += 2) {
        blocks[i] = realloc(blocks[i], 1000);
        free(blocks[i]);
    }
    char *copy = strdup("clean");
    int *zeros = calloc(10, sizeof *zeros);
    printf("%s %d\n", copy, zeros[3]);
    free(copy);
    free(zeros);
    return 0;
}
