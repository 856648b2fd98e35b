/*
 * memory_map — the address space as /proc/self/maps tells it, read once per scan into memory
 * mapped directly: the roots are clipped to readable mappings, and anonymous mappings are
 * roots themselves (roots.c).
 */
#ifndef LIBLEAK_MEMORY_MAP_H
#define LIBLEAK_MEMORY_MAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct libleak_map_area {
    uintptr_t start, end;
    bool readable;
    bool writable;
    bool anonymous; /* no file and no kernel name ([heap], [stack], ...) but [anon:NAME] */
    bool heap;      /* [heap]: the brk heap */
};

struct libleak_memory_map {
    struct libleak_map_area *areas; /* in address order */
    size_t count, capacity;
    size_t bytes;
};

/* Reads /proc/self/maps; false when nothing could be read. */
bool libleak_memory_map_read(struct libleak_memory_map *map);

/* The area holding address, or NULL. */
const struct libleak_map_area *libleak_memory_map_find(const struct libleak_memory_map *map,
                                                       uintptr_t address);

/* The first area that starts above address, or NULL. */
const struct libleak_map_area *libleak_memory_map_next(const struct libleak_memory_map *map,
                                                       uintptr_t address);

/* Unmaps what libleak_memory_map_read mapped. */
void libleak_memory_map_release(struct libleak_memory_map *map);

#endif
