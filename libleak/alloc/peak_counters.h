/*
 * peak_counters — LIBLEAK_PEAK on the sampling path: the estimated in-use total, its highest
 * value, and every stack's counters as they were at that moment, kept at O(1) per sample.
 * peak_counters.c explains how and what the numbers are worth under threads.
 */
#ifndef LIBLEAK_PEAK_COUNTERS_H
#define LIBLEAK_PEAK_COUNTERS_H
#include <stdbool.h>
#include <stdint.h>

#include "alloc/sampler.h"
#include "alloc/stacks.h"

/* True once libleak_peak_counters_init succeeded: the sampling path then calls the two below. */
extern bool libleak_peak_counters_on;

/* At start, before any sample: room for max_stacks stacks' records (mapped as needed). */
bool libleak_peak_counters_init(uint64_t max_stacks);

/* Around each charge of a sample (allocation) or of its free to a stack's striped counters:
   before, the stack's counters are saved if this is their first change since the latest high;
   after, the in-use total moves and may make a new high. The allocation path: no lock, no
   malloc, at worst an mmap of a chunk of records. */
void libleak_peak_counters_before_change(const struct libleak_stack *stack);
void libleak_peak_counters_after_change(struct libleak_weight weight, bool allocation);

/* The highest moment so far. */
struct libleak_peak_moment {
    uint64_t epoch;       /* pass it to libleak_peak_counters_at_peak */
    int64_t inuse_bytes;  /* the estimated in-use total then */
    uint32_t seconds;     /* libleak_live_now_seconds() then */
};
/* False while nothing sampled was ever in use. */
bool libleak_peak_counters_moment(struct libleak_peak_moment *moment);

/* The counters of `stack` at the moment of `epoch` (fixed point, as libleak_stacks_totals). */
void libleak_peak_counters_at_peak(const struct libleak_stack *stack, uint64_t epoch,
                                   struct libleak_stack_totals *totals);

/* A fork child (single-threaded): the parent's peak is forgotten, the child's starts now. */
void libleak_peak_counters_restart(void);

#endif
