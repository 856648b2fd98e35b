/*
 * interned — see interned.h. The copies are kept in an array, found through an id map
 * (common/id_map.h) keyed by their FNV-1a hash. It lives from one module-list change to the
 * next, across dumps, so it takes its memory from malloc rather than from a dump's arena.
 */
#include "dump/interned.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/id_map.h"

static struct {
    struct libleak_id_map ids; /* hash -> index + 1 in strings */
    char **strings;
    size_t count, capacity;
} interned;

static bool same_text(const void *owner, uint32_t id, const void *text)
{
    (void)owner;
    return strcmp(interned.strings[id - 1], text) == 0;
}

/* Room for one more copy, in the map and in the array. */
static bool make_room(void)
{
    if (!libleak_id_map_reserve(&interned.ids)) /* the first time, its first arrays */
        return false;
    if (interned.count < interned.capacity)
        return true;
    size_t capacity = interned.capacity ? interned.capacity * 2 : 512;
    char **strings = realloc(interned.strings, capacity * sizeof *strings);
    if (!strings)
        return false;
    interned.strings = strings;
    interned.capacity = capacity;
    return true;
}

const char *libleak_intern(const char *text)
{
    if (!text || !make_room())
        return NULL;
    uint64_t hash = libleak_hash_string(text);
    uint64_t slot = libleak_id_map_slot(&interned.ids, hash, same_text, NULL, text);
    if (interned.ids.ids[slot])
        return interned.strings[interned.ids.ids[slot] - 1];
    char *copy = strdup(text);
    if (!copy)
        return NULL;
    interned.strings[interned.count++] = copy;
    libleak_id_map_set(&interned.ids, slot, hash, (uint32_t)interned.count);
    return copy;
}

void libleak_intern_forget(void)
{
    for (size_t i = 0; i < interned.count; i++)
        free(interned.strings[i]);
    free(interned.strings);
    libleak_id_map_free(&interned.ids);
    libleak_intern_abandon();
}

void libleak_intern_abandon(void)
{
    memset(&interned, 0, sizeof interned);
}
