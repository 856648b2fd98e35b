/*
 * loss_records — see loss_records.h.
 */
#include "gate/loss_records.h"

#include <stdlib.h>

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

static int by_class_and_stack(const void *a, const void *b)
{
    const struct loss_record *x = a, *y = b;
    if (x->class != y->class)
        return x->class < y->class ? -1 : 1;
    return x->stack < y->stack ? -1 : x->stack > y->stack;
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

void libleak_loss_records_build(const struct libleak_reach_result *r, struct loss_records *records)
{
    size_t lost = 0;
    for (size_t i = 0; i < r->count; i++) {
        enum loss_class class = class_of(r->blocks[i].state);
        if (class == REACHABLE) {
            records->classes[REACHABLE].bytes += r->blocks[i].size;
            records->classes[REACHABLE].blocks++;
        } else {
            lost++;
        }
    }
    if (!lost)
        return;
    struct loss_record *all = malloc(lost * sizeof *all);
    if (!all)
        return;
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++) {
        enum loss_class class = class_of(r->blocks[i].state);
        if (class != REACHABLE)
            all[n++] = (struct loss_record){.stack = r->blocks[i].stack,
                                            .class = (uint8_t) class,
                                            .bytes = r->blocks[i].size,
                                            .blocks = 1};
    }
    qsort(all, n, sizeof *all, by_class_and_stack);
    size_t groups = 0;
    for (size_t i = 0; i < n; i++) {
        if (groups && all[groups - 1].class == all[i].class && all[groups - 1].stack == all[i].stack) {
            all[groups - 1].bytes += all[i].bytes;
            all[groups - 1].blocks++;
        } else {
            all[groups++] = all[i];
        }
    }
    qsort(all, groups, sizeof *all, largest_first);
    records->records = all;
    records->count = groups;
}
