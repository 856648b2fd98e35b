/*
 * test_id_map — the one single-threaded table (common/id_map.h), alone: keys that collide on
 * purpose (every key the same hash, told apart by the caller's confirmation) and keys that
 * are unique, through several doublings, with calloc's memory and with an arena's (which
 * gives nothing back); every id comes back, and a key never added finds an empty slot.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloc/memory.h"
#include "check.h"
#include "common/id_map.h"
#include "dump/id_map_arena.h"

enum { KEYS = 20000 };
static uint64_t values[KEYS]; /* the caller's records: id - 1 indexes them */

static bool same_value(const void *owner, uint32_t id, const void *what)
{
    (void)owner;
    return values[id - 1] == *(const uint64_t *)what;
}

/* Adds KEYS records whose map key is value % buckets (1 bucket: all collide), then finds them. */
static void fill_and_find(struct libleak_id_map *map, uint64_t buckets, const char *what)
{
    int added = 0, found = 0, strays = 0;
    for (uint64_t i = 0; i < KEYS; i++) {
        uint64_t value = i * 0x9E3779B97F4A7C15ULL;
        CHECK(libleak_id_map_reserve(map), "%s: reserve failed at %llu", what, (unsigned long long)i);
        uint64_t slot = libleak_id_map_slot(map, value % buckets, same_value, NULL, &value);
        if (map->ids[slot])
            continue;
        values[i] = value;
        libleak_id_map_set(map, slot, value % buckets, (uint32_t)i + 1);
        added++;
    }
    for (uint64_t i = 0; i < KEYS; i++) {
        uint64_t value = i * 0x9E3779B97F4A7C15ULL;
        uint32_t id = map->ids[libleak_id_map_slot(map, value % buckets, same_value, NULL, &value)];
        found += id == i + 1;
        uint64_t absent = value + 1;
        strays += map->ids[libleak_id_map_slot(map, absent % buckets, same_value, NULL, &absent)] != 0;
    }
    CHECK(added == KEYS && found == KEYS && strays == 0, "%s: %d added, %d found, %d absent keys found", what,
          added, found, strays);
    CHECK(map->used == KEYS && map->used * 2 <= map->mask + 1, "%s: %llu used of %llu slots", what,
          (unsigned long long)map->used, (unsigned long long)map->mask + 1);
}

int main(void)
{
    struct libleak_id_map map;
    CHECK(libleak_id_map_init(&map, &libleak_id_map_heap, 16), "init on the heap");
    fill_and_find(&map, UINT64_MAX, "unique keys, heap");
    libleak_id_map_free(&map);
    CHECK(!map.keys && !map.ids && map.used == 0, "free leaves the map empty");

    CHECK(libleak_id_map_init(&map, &libleak_id_map_heap, 16), "init on the heap");
    fill_and_find(&map, 7, "keys in 7 buckets, heap");
    libleak_id_map_free(&map);

    struct libleak_arena arena = {0};
    CHECK(libleak_id_map_init_in_arena(&map, &arena, 0), "init in an arena");
    fill_and_find(&map, UINT64_MAX, "unique keys, arena");
    libleak_id_map_free(&map); /* gives nothing back: the arena does, at once */
    libleak_arena_release(&arena);
    return check_result("test_id_map");
}
