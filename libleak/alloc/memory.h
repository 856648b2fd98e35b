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

/* Maps, once, the address space arenas fall back on when the kernel refuses a mapping:
   under RLIMIT_AS (or RLIMIT_DATA) a program that allocates until malloc fails leaves no room
   for the exit profile, and the limit counts a mapping whether it is touched or not, so the
   room is taken at start, while there is some, and only when such a limit is set. Untouched,
   it costs no memory. A small profile needs ~0.75 MB of it (measured: a program under
   ulimit -v that filled its heap); a bigger one keeps the samples that fit (profile_writer.c). */
#define LIBLEAK_ARENA_RESERVE (2u << 20)
bool libleak_arena_reserve(void);
/* Bytes of the reserve not handed out, and whether any are (a dump then runs on it and
   should leave the rest for what it cannot do without). */
size_t libleak_arena_reserve_left(void);
bool libleak_arena_reserve_in_use(void);
/* In a fork child: a dump in progress on another thread at the fork never hands its pieces
   back there (dump.c drops its state), so the reserve starts over. */
void libleak_arena_reserve_after_fork_in_child(bool dump_was_in_progress);

#endif
