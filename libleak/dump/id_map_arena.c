/*
 * id_map_arena — see id_map_arena.h.
 */
#include "dump/id_map_arena.h"

#include "alloc/memory.h"

static void *arena_allocate(void *arena, size_t bytes)
{
    return libleak_arena_alloc(arena, bytes);
}

bool libleak_id_map_init_in_arena(struct libleak_id_map *map, struct libleak_arena *arena, uint64_t expected)
{
    const struct libleak_id_map_memory memory = {arena_allocate, NULL, arena};
    return libleak_id_map_init(map, &memory, expected);
}
