/*
 * stack_list.c — samples to weighted stacks (stack_list.h).
 */
#include "reports/stack_list.h"

#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "model/util.h"

/*
 * pprof merges a base into a profile sample by sample, keeping apart samples whose labels
 * differ (a heap profile's "bytes" label, for one); the tag reproduces that key. The sum of
 * the labels' hashes does not depend on their order.
 */
uint64_t sample_labels_tag(const struct sample *sample)
{
    uint64_t tag = 0;
    for (size_t i = 0; i < sample->label_count; i++) {
        const struct sample_label *label = &sample->labels[i];
        uint64_t h = libleak_hash_bytes(LIBLEAK_FNV_OFFSET_BASIS, label->key, strlen(label->key) + 1);
        if (label->str)
            h = libleak_hash_bytes(h, label->str, strlen(label->str) + 1);
        h = libleak_hash_bytes(h, &label->num, sizeof label->num);
        tag += libleak_hash_bytes(h, label->unit, strlen(label->unit));
    }
    return tag;
}

bool stack_list_collect(struct stack_list *list, const struct profile *profile, long index,
                        const struct profile *base, struct frame_filter *filter)
{
    memset(list, 0, sizeof *list);
    if (!base) {
        list->stacks = xcalloc(profile->sample_count, sizeof *list->stacks);
        for (size_t s = 0; s < profile->sample_count + profile->filtered_count; s++) {
            const struct sample *sample = &profile->samples[s];
            int64_t value = sample->values[index];
            list->total = add_saturating(list->total, abs_saturating(value));
            if (s < profile->sample_count && filter_keeps(filter, sample->frames, sample->depth))
                list->stacks[list->count++] = (struct weighted_stack){sample->frames, sample->depth, value};
        }
        return true;
    }
    long base_index = profile_sample_index(base, profile->types[index].type);
    if (base_index < 0)
        return false;
    stack_set_init(&list->merged, 1);
    for (size_t s = 0; s < base->sample_count; s++) {
        const struct sample *sample = &base->samples[s];
        stack_set_add(&list->merged, sample->frames, sample->depth, sample_labels_tag(sample), 0,
                      negate_saturating(sample->values[base_index]));
    }
    for (size_t s = 0; s < profile->sample_count; s++) {
        const struct sample *sample = &profile->samples[s];
        stack_set_add(&list->merged, sample->frames, sample->depth, sample_labels_tag(sample), 0,
                      sample->values[index]);
    }
    list->stacks = xcalloc(list->merged.count, sizeof *list->stacks);
    for (size_t e = 0; e < list->merged.count; e++) {
        const struct stack_entry *entry = &list->merged.entries[e];
        list->total = add_saturating(list->total, abs_saturating(entry->values[0]));
        if (filter_keeps(filter, entry->frames, entry->depth))
            list->stacks[list->count++] =
                    (struct weighted_stack){entry->frames, entry->depth, entry->values[0]};
    }
    return true;
}

void stack_list_free(struct stack_list *list)
{
    free(list->stacks);
    stack_set_free(&list->merged);
    memset(list, 0, sizeof *list);
}
