/*
 * stackset.c — stacks merged by content (stackset.h): the entries in an array, found through
 * an id map (common/id_map.h) keyed by the hash of their frame ids and tag.
 */
#include "model/stackset.h"

#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "model/util.h"

void stack_set_init(struct stack_set *set, size_t columns)
{
    memset(set, 0, sizeof *set);
    set->columns = columns;
    id_map_init(&set->ids, 128);
}

void stack_set_free(struct stack_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        free(set->entries[i].values);
    free(set->entries);
    libleak_id_map_free(&set->ids);
    memset(set, 0, sizeof *set);
}

static uint64_t stack_hash(const uint32_t *frames, uint32_t depth, uint64_t tag)
{
    uint64_t h = libleak_hash_bytes(LIBLEAK_FNV_OFFSET_BASIS, &tag, sizeof tag);
    h = libleak_hash_bytes(h, &depth, sizeof depth);
    return libleak_hash_bytes(h, frames, depth * sizeof *frames);
}

static bool same_stack(const void *owner, uint32_t id, const void *what)
{
    const struct stack_entry *e = &((const struct stack_set *)owner)->entries[id - 1], *wanted = what;
    return e->depth == wanted->depth && e->tag == wanted->tag &&
           memcmp(e->frames, wanted->frames, wanted->depth * sizeof *wanted->frames) == 0;
}

void stack_set_add(struct stack_set *set, const uint32_t *frames, uint32_t depth, uint64_t tag, size_t column,
                   int64_t value)
{
    struct stack_entry wanted = {frames, depth, tag, NULL};
    uint64_t hash = stack_hash(frames, depth, tag);
    id_map_reserve(&set->ids);
    uint64_t slot = libleak_id_map_slot(&set->ids, hash, same_stack, set, &wanted);
    if (set->ids.ids[slot]) {
        struct stack_entry *e = &set->entries[set->ids.ids[slot] - 1];
        e->values[column] = add_saturating(e->values[column], value);
        return;
    }
    if (set->count == set->capacity) {
        set->capacity = set->capacity ? set->capacity * 2 : 64;
        set->entries = xreallocarray(set->entries, set->capacity, sizeof *set->entries);
    }
    struct stack_entry *e = &set->entries[set->count++];
    *e = (struct stack_entry){frames, depth, tag, xcalloc(set->columns, sizeof *e->values)};
    e->values[column] = value;
    libleak_id_map_set(&set->ids, slot, hash, (uint32_t)set->count);
}
