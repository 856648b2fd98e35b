/*
 * id_map — see id_map.h. Keys go through libleak_hash_mix first: addresses and string hashes
 * alike then spread over the low bits the mask keeps.
 */
#include "common/id_map.h"

#include <stdlib.h>
#include <string.h>

#include "common/hash.h"

static void *heap_allocate(void *context, size_t bytes)
{
    (void)context;
    return calloc(1, bytes);
}

static void heap_release(void *context, void *block)
{
    (void)context;
    free(block);
}

const struct libleak_id_map_memory libleak_id_map_heap = {heap_allocate, heap_release, NULL};

static void release(const struct libleak_id_map_memory *memory, void *block)
{
    if (memory->release && block)
        memory->release(memory->context, block);
}

bool libleak_id_map_init(struct libleak_id_map *map, const struct libleak_id_map_memory *memory,
                         uint64_t expected)
{
    uint64_t slots = 1024;
    while (slots < expected * 2)
        slots <<= 1;
    memset(map, 0, sizeof *map);
    map->memory = *memory;
    map->keys = memory->allocate(memory->context, slots * sizeof *map->keys);
    map->ids = memory->allocate(memory->context, slots * sizeof *map->ids);
    map->mask = slots - 1;
    if (map->keys && map->ids)
        return true;
    libleak_id_map_free(map);
    return false;
}

void libleak_id_map_free(struct libleak_id_map *map)
{
    release(&map->memory, map->keys);
    release(&map->memory, map->ids);
    memset(map, 0, sizeof *map);
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

bool libleak_id_map_reserve(struct libleak_id_map *map)
{
    if (!map->ids) /* a zeroed map: its first arrays */
        return libleak_id_map_init(map, map->memory.allocate ? &map->memory : &libleak_id_map_heap, 0);
    if (map->used * 2 < map->mask)
        return true;
    struct libleak_id_map grown;
    if (!libleak_id_map_init(&grown, &map->memory, map->mask + 1))
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
    libleak_id_map_free(map);
    *map = grown;
    return true;
}
