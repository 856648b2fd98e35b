/*
 * stack_list.h — what top, diff, traces, folded and list count: the weighted stacks of one
 * sample index of a profile, minus a base's, after --focus and --ignore.
 */
#ifndef LEAKPROF_STACK_LIST_H
#define LEAKPROF_STACK_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/profile_model.h"
#include "model/stackset.h"
#include "reports/frame_filter.h"

struct weighted_stack {
    const uint32_t *frames; /* frame ids, leaf first */
    uint32_t depth;
    int64_t value;
};

/* The weighted stacks of one sample index of PROFILE, minus BASE's when BASE is given. */
struct stack_list {
    struct weighted_stack *stacks;
    size_t count;
    int64_t total;           /* sum of |value| before --focus/--ignore, as pprof */
    struct stack_set merged; /* holds the entries when a base was subtracted */
};

/*
 * Fills LIST. With a base the stacks are merged by content (stackset.h) and the base is
 * subtracted; without one there is one stack per sample, as pprof reads them. Returns
 * false (after the message) when BASE lacks the sample type. FILTER may be NULL.
 */
bool stack_list_collect(struct stack_list *list, const struct profile *profile, long index,
                        const struct profile *base, struct frame_filter *filter);
void stack_list_free(struct stack_list *list);

/*
 * A hash of a sample's labels, independent of their order: with the stack, the key by
 * which pprof merges samples (a base into a profile, or equal samples of one profile).
 */
uint64_t sample_labels_tag(const struct sample *sample);

#endif
