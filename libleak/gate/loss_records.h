/*
 * loss_records — the lost blocks of a scan grouped as memcheck groups them: one record per
 * class and allocation stack, largest first; the still reachable ones only counted.
 */
#ifndef LIBLEAK_LOSS_RECORDS_H
#define LIBLEAK_LOSS_RECORDS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gate/reach.h"

enum loss_class { DEFINITELY, INDIRECTLY, POSSIBLY, REACHABLE, CLASSES };

/* memcheck's words for the classes: "definitely lost", ... */
extern const char *const libleak_class_words[CLASSES];

struct loss_record {
    uint32_t stack;
    uint32_t shown_depth; /* frames without libc's start-up code (memcheck: --show-below-main=no) */
    uint8_t class;
    bool suppressed;
    uint64_t bytes, blocks;
};

struct totals {
    uint64_t bytes, blocks;
};

struct loss_records {
    struct loss_record *records; /* malloc'ed: built after the world has resumed */
    size_t count;
    struct totals classes[CLASSES]; /* the lost classes are summed once suppressions are decided */
    struct totals suppressed;
};

/* Groups the lost blocks of result into records and counts the still reachable ones. With a
   rate above 1 each block is a sample and stands for its weight (sampler.h): the bytes and
   blocks are estimates, as in a sampled profile. */
void libleak_loss_records_build(const struct libleak_reach_result *result, uint64_t rate,
                                struct loss_records *records);

#endif
