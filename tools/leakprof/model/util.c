/*
 * util.c — allocation and id maps (common/id_map.h) that cannot fail.
 * Out of memory ends the program with exit status 2, the status of "could not read".
 */
#include "model/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
    fputs("leakprof: out of memory\n", stderr);
    exit(2);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xreallocarray(void *ptr, size_t count, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes))
        out_of_memory();
    return xrealloc(ptr, bytes);
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

void id_map_init(struct libleak_id_map *map, uint64_t expected)
{
    if (!libleak_id_map_init(map, &libleak_id_map_heap, expected))
        out_of_memory();
}

void id_map_reserve(struct libleak_id_map *map)
{
    if (!libleak_id_map_reserve(map))
        out_of_memory();
}
