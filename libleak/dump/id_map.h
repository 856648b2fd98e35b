/*
 * id_map — the library's one single-threaded hash table: a 64-bit key (an address, or the
 * hash of a string or of a tuple) to a 1-based id, the index + 1 of a record the caller keeps
 * in an array of its own.
 *
 * Open addressing with linear probing, doubled at half full, in an arena: the dumper builds
 * one per dump and drops it whole. Keys that are hashes may collide, so a lookup can ask the
 * caller to confirm a candidate. The lock-free tables the allocation path writes (stacks.c,
 * live.c) are of another kind and have their own.
 */
#ifndef LIBLEAK_ID_MAP_H
#define LIBLEAK_ID_MAP_H
#include <stdbool.h>
#include <stdint.h>

struct libleak_arena;

struct libleak_id_map {
    struct libleak_arena *arena;
    uint64_t *keys;
    uint32_t *ids; /* 0: empty slot */
    uint64_t mask;
    uint64_t used;
};

/* Room for about `expected` keys before the first doubling. False when out of memory. */
bool libleak_id_map_init(struct libleak_id_map *map, struct libleak_arena *arena, uint64_t expected);

/* Makes room for one more key (call it before libleak_id_map_slot when you may add). False
   when out of memory. */
bool libleak_id_map_reserve(struct libleak_id_map *map);

/* The slot of key: map->ids[slot] is its id, or 0 where libleak_id_map_set may record it.
   same(owner, id, what) confirms a candidate with an equal key; NULL when keys are unique. */
uint64_t libleak_id_map_slot(const struct libleak_id_map *map, uint64_t key,
                             bool (*same)(const void *owner, uint32_t id, const void *what),
                             const void *owner, const void *what);

/* Records key -> id in the empty slot libleak_id_map_slot found. */
void libleak_id_map_set(struct libleak_id_map *map, uint64_t slot, uint64_t key, uint32_t id);

#endif
