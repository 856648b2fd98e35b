/*
 * memory_map — see memory_map.h. Read without malloc: the world is stopped.
 */
#include "gate/memory_map.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gate/reach_private.h"
#include "os/descriptors.h"

bool libleak_memory_map_read(struct libleak_memory_map *map)
{
    map->capacity = 65536;
    map->bytes = round_pages(map->capacity * sizeof *map->areas);
    map->areas = map_zeroed(map->bytes);
    if (!map->areas)
        return false;
    int fd = libleak_open_high("/proc/self/maps", O_RDONLY, 0);
    if (fd < 0)
        return false;
    char buffer[8192], line[1024];
    size_t line_length = 0;
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buffer[i] != '\n') {
                if (line_length < sizeof line - 1)
                    line[line_length++] = buffer[i];
                continue;
            }
            line[line_length] = '\0';
            line_length = 0;
            char *p = line;
            uintptr_t start = 0, end = 0;
            while (*p && *p != '-')
                start = start * 16 + (uintptr_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10), p++;
            if (*p == '-')
                p++;
            while (*p && *p != ' ')
                end = end * 16 + (uintptr_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10), p++;
            if (*p == ' ')
                p++;
            bool readable = p[0] == 'r', writable = p[0] && p[1] == 'w';
            /* then offset, device, inode and the name, if any */
            for (int field = 0; field < 4 && *p; field++) {
                while (*p && *p != ' ')
                    p++;
                while (*p == ' ')
                    p++;
            }
            bool anonymous = *p == '\0' || strncmp(p, "[anon:", 6) == 0;
            if (map->count < map->capacity)
                map->areas[map->count++] = (struct libleak_map_area){start, end, readable, writable, anonymous};
        }
    }
    close(fd);
    return map->count > 0;
}

const struct libleak_map_area *libleak_memory_map_find(const struct libleak_memory_map *map, uintptr_t address)
{
    size_t lo = 0, hi = map->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (map->areas[mid].end <= address)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < map->count && map->areas[lo].start <= address)
        return &map->areas[lo];
    return NULL;
}

const struct libleak_map_area *libleak_memory_map_next(const struct libleak_memory_map *map, uintptr_t address)
{
    size_t lo = 0, hi = map->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (map->areas[mid].start <= address)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < map->count ? &map->areas[lo] : NULL;
}

void libleak_memory_map_release(struct libleak_memory_map *map)
{
    if (map->areas)
        munmap(map->areas, map->bytes);
    map->areas = NULL;
}
