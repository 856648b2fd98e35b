/*
 * growth.c — the leak-suspect ranking (growth.h). A stack that grows in every step is a
 * better suspect than one that jumped once and stayed (a cache filling up, a one-time
 * initialisation), so stacks are ranked by the number of steps in which they grew, then by
 * how much they grew from the first snapshot to the last; ties by their function names.
 */
#include "reports/growth.h"

#include <stdlib.h>
#include <string.h>

#include "model/util.h"

static const struct frame_table *sort_frames;

/* Compares stacks by their names, leaf first, so that ties print in a stable order. */
static int compare_stack_names(const struct stack_entry *a, const struct stack_entry *b)
{
    for (uint32_t i = 0; i < a->depth && i < b->depth; i++) {
        int c = strcmp(frame_get(sort_frames, a->frames[i])->name,
                       frame_get(sort_frames, b->frames[i])->name);
        if (c)
            return c;
    }
    return (a->depth > b->depth) - (a->depth < b->depth);
}

static int compare_suspects(const void *a, const void *b)
{
    const struct growth_suspect *x = a, *y = b;
    if (x->growing_steps != y->growing_steps)
        return x->growing_steps > y->growing_steps ? -1 : 1;
    if (x->growth != y->growth)
        return x->growth > y->growth ? -1 : 1;
    return compare_stack_names(x->entry, y->entry);
}

const char *growth_default_type(const struct profile *first, const char *requested)
{
    if (requested)
        return requested;
    for (size_t i = 0; i < first->type_count; i++)
        if (strcmp(first->types[i].type, "inuse_space") == 0)
            return "inuse_space";
    return NULL;
}

size_t growth_rank(const struct frame_table *frames, const struct stack_set *set, size_t snapshots,
                   struct growth_suspect **out)
{
    struct growth_suspect *suspects = xcalloc(set->count ? set->count : 1, sizeof *suspects);
    size_t count = 0;
    for (size_t e = 0; e < set->count; e++) {
        const struct stack_entry *entry = &set->entries[e];
        int64_t growth = add_saturating(entry->values[snapshots - 1], negate_saturating(entry->values[0]));
        if (growth <= 0)
            continue;
        size_t steps = 0;
        for (size_t i = 1; i < snapshots; i++)
            steps += entry->values[i] > entry->values[i - 1];
        suspects[count++] = (struct growth_suspect){entry, growth, steps};
    }
    sort_frames = frames;
    qsort(suspects, count, sizeof *suspects, compare_suspects);
    *out = suspects;
    return count;
}
