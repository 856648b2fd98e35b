/*
 * growth.h — the leak-suspect ranking of `leakprof growth`, shared with `leakprof html` so
 * that the report's table shows the very numbers the text command prints (growth.c).
 */
#ifndef LEAKPROF_GROWTH_H
#define LEAKPROF_GROWTH_H

#include <stddef.h>
#include <stdint.h>

#include "model/frames.h"
#include "model/profile_model.h"
#include "model/stackset.h"

struct growth_suspect {
    const struct stack_entry *entry;
    int64_t growth;       /* last snapshot minus first, > 0 */
    size_t growing_steps; /* steps i-1 -> i in which the stack grew */
};

/*
 * Ranks the stacks of SET whose columns 0 .. SNAPSHOTS-1 are the snapshots, oldest first:
 * those that grew from the first to the last, the most steadily growing first, then by
 * growth. *OUT (free it) receives them; returns how many.
 */
size_t growth_rank(const struct frame_table *frames, const struct stack_set *set, size_t snapshots,
                   struct growth_suspect **out);

/* growth's default sample type: REQUESTED, else inuse_space when FIRST has it, else NULL. */
const char *growth_default_type(const struct profile *first, const char *requested);

#endif
