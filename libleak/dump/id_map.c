/*
 * id_map — see id_map.h. Keys go through libleak_hash_mix first: addresses and string hashes
 * alike then spread over the low bits the mask keeps.
 */
#include "dump/id_map.h"

#include "common/hash.h"
#include "alloc/memory.h"

bool libleak_id_map_init(struct libleak_id_map *map, struct libleak_arena *arena, uint64_t expected)
{
    uint64_t slots = 1024;
    while (slots < expected * 2)
        slots <<= 1;
    map->arena = arena;
    map->keys = libleak_arena_alloc(arena, slots * sizeof *map->keys);
    map->ids = libleak_arena_alloc(arena, slots * sizeof *map->ids);
    map->mask = slots - 1;
    map->used = 0;
    return map->keys && map->ids;
}

uint64_t libleak_id_map_slot(const struct libleak_id_map *map, uint64_t key,
                             bool (*same)(const void *owner, uint32_t id, const void *what),
                             const void *owner, const void *what)
{
    uint64_t position = libleak_hash_mix(key) & map->mask;
    while (map->ids[position] &&
           (map->keys[position] != key || (same && !same(owner, map->ids[position], what))))
        position = (position + 1) & map->mask;
    return position;
}

void libleak_id_map_set(struct libleak_id_map *map, uint64_t slot, uint64_t key, uint32_t id)
{
    map->keys[slot] = key;
    map->ids[slot] = id;
    map->used++;
}

/* The old arrays stay in the arena until it is released. */
bool libleak_id_map_reserve(struct libleak_id_map *map)
{
    if (map->used * 2 < map->mask)
        return true;
    struct libleak_id_map grown;
    if (!libleak_id_map_init(&grown, map->arena, map->mask + 1))
        return false;
    for (uint64_t i = 0; i <= map->mask; i++) {
        if (!map->ids[i])
            continue;
        /* The first empty slot, not the key's: keys that are hashes may repeat. */
        uint64_t position = libleak_hash_mix(map->keys[i]) & grown.mask;
        while (grown.ids[position])
            position = (position + 1) & grown.mask;
        grown.keys[position] = map->keys[i];
        grown.ids[position] = map->ids[i];
    }
    grown.used = map->used;
    *map = grown;
    return true;
}
