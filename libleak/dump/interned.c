/*
 * interned — see interned.h. An open-addressing set of malloc'd strings keyed by FNV-1a,
 * doubled at half full. It lives from one module-list change to the next, across dumps, so it
 * takes its memory from malloc rather than from a dump's arena (id_map.h).
 */
#include "dump/interned.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"

static struct {
    char **strings; /* open addressing, power-of-two capacity */
    size_t capacity, used;
} interned;

static bool grow(void)
{
    size_t capacity = interned.capacity ? interned.capacity * 2 : 1024;
    char **table = calloc(capacity, sizeof *table);
    if (!table)
        return false;
    for (size_t i = 0; i < interned.capacity; i++) {
        char *s = interned.strings[i];
        if (!s)
            continue;
        size_t at = libleak_hash_string(s) & (capacity - 1);
        while (table[at])
            at = (at + 1) & (capacity - 1);
        table[at] = s;
    }
    free(interned.strings);
    interned.strings = table;
    interned.capacity = capacity;
    return true;
}

const char *libleak_intern(const char *text)
{
    if (!text)
        return NULL;
    if (2 * (interned.used + 1) > interned.capacity && !grow())
        return NULL;
    size_t mask = interned.capacity - 1;
    size_t at = libleak_hash_string(text) & mask;
    for (; interned.strings[at]; at = (at + 1) & mask)
        if (strcmp(interned.strings[at], text) == 0)
            return interned.strings[at];
    char *copy = strdup(text);
    if (!copy)
        return NULL;
    interned.strings[at] = copy;
    interned.used++;
    return copy;
}

void libleak_intern_forget(void)
{
    for (size_t i = 0; i < interned.capacity; i++)
        free(interned.strings[i]);
    free(interned.strings);
    libleak_intern_abandon();
}

void libleak_intern_abandon(void)
{
    memset(&interned, 0, sizeof interned);
}
