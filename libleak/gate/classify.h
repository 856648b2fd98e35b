/*
 * classify — memcheck's classification of the live blocks, given the roots: a conservative
 * scan for words that point into blocks, a flood from there, then cliques. Every block ends
 * still reachable, possibly lost, indirectly lost or definitely lost. Pure: it reads memory and
 * the arrays it is given, and maps its working memory directly (reach_private.h), so the unit
 * tests and the benchmark call it on blocks of their own.
 */
#ifndef LIBLEAK_CLASSIFY_H
#define LIBLEAK_CLASSIFY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum libleak_reach_state {
    LIBLEAK_UNREACHED = 0, /* after classification: definitely lost (no pointer at all) */
    LIBLEAK_POSSIBLE,      /* only interior pointers, or only from possibly lost blocks */
    LIBLEAK_REACHABLE,     /* a start pointer (or a heuristic one) from a root or a reachable block */
    LIBLEAK_INDIRECT,      /* reachable only from lost blocks */
};

struct libleak_reach_block {
    uintptr_t address;
    uint64_t size;
    uint32_t stack; /* index in the stack table */
    uint8_t state;  /* enum libleak_reach_state */
    uint8_t reported;
};

struct libleak_reach_region {
    uintptr_t start, end;
    /* glibc's own data: its arena's bin and top pointers point at free chunk headers, which
       lie in the last word of the in-use block before them; those words are not pointers of
       the program's (memcheck never sees them: valgrind replaces malloc). */
    bool allocator_data;
};

/* Sorts blocks[0..count) by address (scratch: room for count blocks). */
void libleak_reach_sort(struct libleak_reach_block *blocks, size_t count,
                        struct libleak_reach_block *scratch);

/* What the classification knows of the process besides blocks and roots. */
struct libleak_classify_setting {
    /* A thread of the program was not stopped: memory is read through process_vm_readv, a
       page window at a time (such a thread may unmap what is being read, and a word that
       cannot be read any more is no pointer). */
    bool others_may_run;
    /* Where vtables may lie (the modules' segments that are not code; sorted by address,
       disjoint), for memcheck's multiple-inheritance heuristic; none: the heuristic is off. */
    const struct libleak_reach_region *vtable_areas;
    size_t vtable_area_count;
};

/* The classification: sorts blocks[0..count) by address, scans the roots (and treats each
   pointer of `forced` as a start pointer from a root: the loader's per-thread DTV), floods,
   then marks the lost ones. setting may be NULL (all stopped, no vtable areas). */
void libleak_reach_classify(struct libleak_reach_block *blocks, size_t count,
                            const struct libleak_reach_region *roots, size_t root_count,
                            const uintptr_t *forced, size_t forced_count,
                            const struct libleak_classify_setting *setting);

#endif
