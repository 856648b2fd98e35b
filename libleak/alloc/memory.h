/*
 * memory — where libleak's own tables live: anonymous mappings, never the program's heap,
 * counted against LIBLEAK_MAX_MEMORY so a runaway program cannot make us take the machine.
 * Also a bump arena for the dumper's transient data (one profile's worth, then unmapped).
 */
#ifndef LIBLEAK_MEMORY_H
#define LIBLEAK_MEMORY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Zeroed, page-aligned, reserved lazily (MAP_NORESERVE): untouched pages cost nothing.
   Returns NULL when the budget or the kernel says no. */
void *libleak_map(size_t bytes);
void libleak_unmap(void *address, size_t bytes);
uint64_t libleak_memory_mapped(void);

/* Calls visit for every mapping of ours that overlaps [start, end). Returns false (and visits
   nothing) when the record overflowed and so cannot answer. */
bool libleak_memory_for_each_own(uintptr_t start, uintptr_t end,
                                 void (*visit)(uintptr_t own_start, uintptr_t own_end, void *context),
                                 void *context);

struct libleak_arena_chunk;
struct libleak_arena {
    struct libleak_arena_chunk *chunks;
};
/* Zeroed memory from the arena; NULL when out of memory. */
void *libleak_arena_alloc(struct libleak_arena *arena, size_t bytes);
void libleak_arena_release(struct libleak_arena *arena);

#endif
