/*
 * stackset.h — stacks merged by content, with one value per column.
 *
 * Two samples whose stacks read the same (the same frame ids, frames.h: the same function
 * names, files and lines) are one entry. The columns are what the caller compares: a base
 * and a new profile for `diff` and `--base`, the snapshots of a series for `growth`. This
 * is how stacks are matched across files without looking at addresses.
 */
#ifndef LEAKPROF_STACKSET_H
#define LEAKPROF_STACKSET_H

#include <stddef.h>
#include <stdint.h>

#include "common/id_map.h"

struct stack_entry {
    const uint32_t *frames; /* leaf first; points into a loaded profile */
    uint32_t depth;
    uint64_t tag;    /* more key: a hash of the labels, or 0 */
    int64_t *values; /* one per column */
};

struct stack_set {
    size_t columns;
    struct stack_entry *entries;
    size_t count, capacity;
    struct libleak_id_map ids; /* a stack's hash -> its entry's index + 1 */
};

void stack_set_init(struct stack_set *set, size_t columns);
void stack_set_free(struct stack_set *set);
/*
 * Adds VALUE to COLUMN of the entry for this stack and TAG, creating it if needed. TAG
 * keeps apart samples that pprof keeps apart (same stack, different labels); 0 merges by
 * stack alone.
 */
void stack_set_add(struct stack_set *set, const uint32_t *frames, uint32_t depth, uint64_t tag, size_t column,
                   int64_t value);

#endif
