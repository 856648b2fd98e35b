/*
 * memory_map — see memory_map.h. Read with os/proc_maps.h's raw reader, without malloc: the
 * world is stopped. Areas come in address order and do not overlap, so an address is looked
 * up by the last area that starts at or below it (common/sorted.h).
 */
#include "gate/memory_map.h"

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "common/sorted.h"
#include "gate/reach_private.h"
#include "os/proc_maps.h"

static bool add_area(const struct libleak_maps_entry *entry, void *context)
{
    struct libleak_memory_map *map = context;
    if (map->count < map->capacity)
        map->areas[map->count++] = (struct libleak_map_area){entry->start, entry->end, entry->readable,
                                                             entry->writable, entry->anonymous,
                                                             strcmp(entry->name, "[heap]") == 0};
    return true;
}

bool libleak_memory_map_read(struct libleak_memory_map *map)
{
    map->capacity = 65536;
    map->bytes = round_pages(map->capacity * sizeof *map->areas);
    map->areas = map_zeroed(map->bytes);
    if (!map->areas)
        return false;
    libleak_maps_read(add_area, map);
    return map->count > 0;
}

/* The number of areas that start at or below address. */
static size_t areas_up_to(const struct libleak_memory_map *map, uintptr_t address)
{
    return (size_t)libleak_entries_up_to(map->areas, (int)map->count, sizeof *map->areas,
                                         offsetof(struct libleak_map_area, start), address);
}

const struct libleak_map_area *libleak_memory_map_find(const struct libleak_memory_map *map,
                                                       uintptr_t address)
{
    size_t before = areas_up_to(map, address);
    if (before > 0 && address < map->areas[before - 1].end)
        return &map->areas[before - 1];
    return NULL;
}

const struct libleak_map_area *libleak_memory_map_next(const struct libleak_memory_map *map,
                                                       uintptr_t address)
{
    size_t before = areas_up_to(map, address);
    return before < map->count ? &map->areas[before] : NULL;
}

void libleak_memory_map_release(struct libleak_memory_map *map)
{
    if (map->areas)
        munmap(map->areas, map->bytes);
    map->areas = NULL;
}
