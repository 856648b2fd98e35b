/*
 * id_map_arena — the dumper's id maps (common/id_map.h) in a dump's arena (alloc/memory.h):
 * a map built for one dump takes no memory of its own to free; releasing the arena drops it
 * with the rest, and the arrays a doubling leaves behind go then too.
 */
#ifndef LIBLEAK_ID_MAP_ARENA_H
#define LIBLEAK_ID_MAP_ARENA_H
#include <stdbool.h>
#include <stdint.h>

#include "common/id_map.h"

struct libleak_arena;

/* libleak_id_map_init with the arena as the memory. False when out of memory. */
bool libleak_id_map_init_in_arena(struct libleak_id_map *map, struct libleak_arena *arena, uint64_t expected);

#endif
