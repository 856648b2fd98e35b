/*
 * stackset.c — an open-addressing table of stacks keyed by their frame ids (stackset.h).
 */
#include "model/stackset.h"

#include <stdlib.h>
#include <string.h>

#include "model/util.h"

void stack_set_init(struct stack_set *set, size_t columns)
{
    memset(set, 0, sizeof *set);
    set->columns = columns;
}

void stack_set_free(struct stack_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        free(set->entries[i].values);
    free(set->entries);
    free(set->slots);
    memset(set, 0, sizeof *set);
}

static uint64_t stack_hash(const uint32_t *frames, uint32_t depth, uint64_t tag)
{
    uint64_t h = hash_bytes(HASH_SEED, &tag, sizeof tag);
    return hash_bytes(hash_bytes(h, &depth, sizeof depth), frames, depth * sizeof *frames);
}

static void grow_slots(struct stack_set *set)
{
    size_t slot_count = set->slot_count ? set->slot_count * 2 : 256;
    uint32_t *slots = xcalloc(slot_count, sizeof *slots);
    for (size_t e = 0; e < set->count; e++) {
        size_t i = stack_hash(set->entries[e].frames, set->entries[e].depth, set->entries[e].tag) &
                   (slot_count - 1);
        while (slots[i])
            i = (i + 1) & (slot_count - 1);
        slots[i] = (uint32_t)e + 1;
    }
    free(set->slots);
    set->slots = slots;
    set->slot_count = slot_count;
}

void stack_set_add(struct stack_set *set, const uint32_t *frames, uint32_t depth, uint64_t tag, size_t column,
                   int64_t value)
{
    if ((set->count + 1) * 2 > set->slot_count)
        grow_slots(set);
    size_t mask = set->slot_count - 1;
    size_t i = stack_hash(frames, depth, tag) & mask;
    for (; set->slots[i]; i = (i + 1) & mask) {
        struct stack_entry *e = &set->entries[set->slots[i] - 1];
        if (e->depth == depth && e->tag == tag && memcmp(e->frames, frames, depth * sizeof *frames) == 0) {
            e->values[column] = add_saturating(e->values[column], value);
            return;
        }
    }
    if (set->count == set->capacity) {
        set->capacity = set->capacity ? set->capacity * 2 : 64;
        set->entries = xreallocarray(set->entries, set->capacity, sizeof *set->entries);
    }
    struct stack_entry *e = &set->entries[set->count];
    *e = (struct stack_entry){frames, depth, tag, xcalloc(set->columns, sizeof *e->values)};
    e->values[column] = value;
    set->slots[i] = (uint32_t)++set->count;
}
