/* interior: a block whose only pointer (in a global) points 40 bytes inside it: possibly lost,
   which does not fail the gate unless LIBLEAK_CHECK_POSSIBLE=1 (see interior_possible). The
   words before the interior pointer are zero, so none of memcheck's heuristics (std::string,
   new[] cookie, length64, multiple inheritance) turns it into reachable. */
//@ main: definitely=0/0 indirectly=0/0 possibly=256/1 status=0
#include "corpus.h"

char *middle;

CORPUS_SITE static void keep_interior(void)
{
    char *block = xmalloc(256);
    middle = block + 40;
    block = NULL;
}

int main(void)
{
    keep_interior();
    scrub_stack();
    return 0;
}
