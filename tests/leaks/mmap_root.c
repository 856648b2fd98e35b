/* mmap_root: a block whose only pointer lies in anonymous memory the program mapped itself
   (mmap), as Python keeps pointers in its object arenas and as many pool allocators do.
   memcheck scans every mapping the program made and calls the block still reachable, and so
   does the gate; LeakSanitizer scans only module data, stacks and TLS and calls it a direct
   leak (which is why it fails python3, docs/GATE.md). */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <sys/mman.h>

#include "corpus.h"

CORPUS_SITE static void keep_in_mapping(void)
{
    void **mapping = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED)
        abort();
    mapping[1000] = xmalloc(4321);
    mapping = NULL;
}

int main(void)
{
    keep_in_mapping();
    scrub_stack();
    return 0;
}
