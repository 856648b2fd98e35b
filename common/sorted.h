/*
 * sorted — the one binary search: over an array sorted by a uint64_t key, as the mappings, the
 * symbol tables and the compile units of the symbolizer, the module table of the allocation
 * path and the blocks and memory map of the gate's scan all are.
 */
#ifndef LIBLEAK_SORTED_H
#define LIBLEAK_SORTED_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The number of entries, in an array sorted by a uint64_t start at key_offset, that start at
   or before key: the last of them is at the result minus one. Serves them all
   alike. */
static inline int libleak_entries_up_to(const void *entries, int count, size_t size, size_t key_offset,
                                        uint64_t key)
{
    int low = 0, high = count;
    while (low < high) {
        int middle = low + (high - low) / 2;
        uint64_t start;
        memcpy(&start, (const char *)entries + (size_t)middle * size + key_offset, sizeof start);
        if (start <= key)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

#endif
