/*
 * loss_records — see loss_records.h.
 */
#include "gate/loss_records.h"

#include <stdlib.h>
#include <string.h>

#include "alloc/sampler.h"
#include "alloc/stacks.h"

const char *const libleak_class_words[CLASSES] = {"definitely lost", "indirectly lost", "possibly lost",
                                                  "still reachable"};

static enum loss_class class_of(uint8_t state)
{
    switch (state) {
    case LIBLEAK_UNREACHED: return DEFINITELY;
    case LIBLEAK_INDIRECT: return INDIRECTLY;
    case LIBLEAK_POSSIBLE: return POSSIBLY;
    default: return REACHABLE;
    }
}

/* Stack records are keyed by frames and thread name (stacks.h); a loss record, as memcheck's,
   by frames alone: the same stack allocated by two named threads is one loss record. */
static int by_frames(uint32_t a, uint32_t b)
{
    if (a == b)
        return 0;
    const struct libleak_stack *x = libleak_stacks_get(a), *y = libleak_stacks_get(b);
    if (!x || !y)
        return a < b ? -1 : 1;
    if (x->depth != y->depth)
        return x->depth < y->depth ? -1 : 1;
    return memcmp(x->frames, y->frames, x->depth * sizeof x->frames[0]);
}

static int by_class_and_stack(const void *a, const void *b)
{
    const struct loss_record *x = a, *y = b;
    if (x->class != y->class)
        return x->class < y->class ? -1 : 1;
    return by_frames(x->stack, y->stack);
}

static int largest_first(const void *a, const void *b)
{
    const struct loss_record *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    if (x->blocks != y->blocks)
        return x->blocks > y->blocks ? -1 : 1;
    if (x->class != y->class)
        return x->class < y->class ? -1 : 1;
    return x->stack < y->stack ? -1 : x->stack > y->stack;
}

/* Blocks are counted in 1/LIBLEAK_OBJECT_ONE while summed: a sampled block stands for its
   weight (sampler.h), a fraction of a block more. */
static uint64_t whole_blocks(uint64_t objects)
{
    return (objects + LIBLEAK_OBJECT_ONE / 2) / LIBLEAK_OBJECT_ONE;
}

void libleak_loss_records_build(const struct libleak_reach_result *r, uint64_t rate, struct loss_records *records)
{
    size_t lost = 0;
    uint64_t reachable_objects = 0;
    for (size_t i = 0; i < r->count; i++) {
        enum loss_class class = class_of(r->blocks[i].state);
        if (class == REACHABLE) {
            struct libleak_weight weight = libleak_sampler_weight_inline(r->blocks[i].size, rate);
            records->classes[REACHABLE].bytes += weight.bytes;
            reachable_objects += weight.objects;
        } else {
            lost++;
        }
    }
    records->classes[REACHABLE].blocks = whole_blocks(reachable_objects);
    if (!lost)
        return;
    struct loss_record *all = malloc(lost * sizeof *all);
    if (!all)
        return;
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++) {
        enum loss_class class = class_of(r->blocks[i].state);
        struct libleak_weight weight = libleak_sampler_weight_inline(r->blocks[i].size, rate);
        if (class != REACHABLE)
            all[n++] = (struct loss_record){.stack = r->blocks[i].stack,
                                            .class = (uint8_t) class,
                                            .bytes = weight.bytes,
                                            .blocks = weight.objects};
    }
    qsort(all, n, sizeof *all, by_class_and_stack);
    size_t groups = 0;
    for (size_t i = 0; i < n; i++) {
        if (groups && all[groups - 1].class == all[i].class &&
            by_frames(all[groups - 1].stack, all[i].stack) == 0) {
            all[groups - 1].bytes += all[i].bytes;
            all[groups - 1].blocks += all[i].blocks;
        } else {
            all[groups++] = all[i];
        }
    }
    for (size_t i = 0; i < groups; i++)
        all[i].blocks = whole_blocks(all[i].blocks);
    qsort(all, groups, sizeof *all, largest_first);
    records->records = all;
    records->count = groups;
}
