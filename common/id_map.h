/*
 * id_map — the one single-threaded hash table of the library's dumper and of the reader: a
 * 64-bit key (an address, the hash of a string or of a tuple) to a 1-based id, the index + 1
 * of a record the caller keeps in an array of its own. The records stay the caller's, in the
 * order they were added: a table never decides what a report prints first.
 *
 * Open addressing with linear probing, doubled at half full. Keys that are hashes may
 * collide, so a lookup can ask the caller to confirm a candidate. Memory comes from the
 * caller's allocator (struct libleak_id_map_memory): the dumper builds its maps in a dump's
 * arena and drops them whole; the symbolizer's caches, which live across dumps, and the
 * reader's tables are on the heap (calloc and free). The lock-free tables the allocation path
 * writes from every thread at once (alloc/stacks.c, alloc/live.c) are of another kind and
 * have their own.
 *
 * The usual find-or-add:
 *     if (!libleak_id_map_reserve(&map)) ...out of memory...
 *     uint64_t slot = libleak_id_map_slot(&map, key, same, records, &wanted);
 *     if (map.ids[slot]) return map.ids[slot] - 1;
 *     ...append the record at index count...
 *     libleak_id_map_set(&map, slot, key, ++count);
 */
#ifndef LIBLEAK_ID_MAP_H
#define LIBLEAK_ID_MAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a map's arrays come from. allocate returns zeroed memory, NULL when there is none;
   release gives back what allocate returned, and may be NULL (an arena drops all at once). */
struct libleak_id_map_memory {
    void *(*allocate)(void *context, size_t bytes);
    void (*release)(void *context, void *block);
    void *context;
};

struct libleak_id_map {
    struct libleak_id_map_memory memory;
    uint64_t *keys;
    uint32_t *ids; /* 0: empty slot */
    uint64_t mask;
    uint64_t used;
};

/* calloc and free: for a map that outlives any arena. */
extern const struct libleak_id_map_memory libleak_id_map_heap;

/* Room for about `expected` keys before the first doubling. False when out of memory. */
bool libleak_id_map_init(struct libleak_id_map *map, const struct libleak_id_map_memory *memory,
                         uint64_t expected);

/* Gives the arrays back (nothing for an arena's map) and leaves the map empty, uninitialised. */
void libleak_id_map_free(struct libleak_id_map *map);

/* Makes room for one more key (call it before libleak_id_map_slot when you may add). A zeroed
   map is an empty one on the heap: this gives it its first arrays. False when out of memory. */
bool libleak_id_map_reserve(struct libleak_id_map *map);

/* The slot of key: map->ids[slot] is its id, or 0 where libleak_id_map_set may record it.
   same(owner, id, what) confirms a candidate with an equal key; NULL when keys are unique. */
uint64_t libleak_id_map_slot(const struct libleak_id_map *map, uint64_t key,
                             bool (*same)(const void *owner, uint32_t id, const void *what),
                             const void *owner, const void *what);

/* Records key -> id in the empty slot libleak_id_map_slot found. */
void libleak_id_map_set(struct libleak_id_map *map, uint64_t slot, uint64_t key, uint32_t id);

#endif
