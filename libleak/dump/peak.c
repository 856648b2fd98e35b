/*
 * peak — writing the profile of the moment the program used the most memory (LIBLEAK_PEAK).
 *
 * The moment is found on the sampling path (alloc/peak_counters.c): each sample and each free
 * of one moves the estimated in-use total, a new high bumps an epoch, and each stack keeps its
 * counters as they were at the latest high. This file only reads them back as a profile: at
 * exit with %n = "peak"; with LIBLEAK_PEAK=all also after every snapshot, with %n = "peak.NNNN"
 * beside snapshot NNNN. No thread polls, nothing is copied.
 *
 * The guarantee (peak_counters.c has the proof): in exact mode the profile is the highest
 * moment itself, for a spike of any length, up to one block per thread allocating or freeing
 * at that very moment; at the default rate it is the highest moment of the sampled estimate,
 * which moves at every sample (once per LIBLEAK_RATE bytes on average), so a spike is caught
 * to within about one sampling period.
 */
#include "dump/peak.h"

#include <errno.h>
#include <stdio.h>

#include "alloc/peak_counters.h"
#include "alloc/stacks.h"
#include "alloc/thread_names.h"
#include "dump/dump.h"
#include "dump/profile_writer.h"

struct peak_walk {
    uint64_t epoch;
    void (*emit)(const struct libleak_profile_sample *sample, void *emit_context);
    void *emit_context;
};

static void emit_stack_at_peak(struct libleak_stack *stack, void *context)
{
    const struct peak_walk *walk = context;
    struct libleak_stack_totals totals;
    libleak_peak_counters_at_peak(stack, walk->epoch, &totals);
    if (totals.alloc_bytes <= totals.free_bytes)
        return; /* nothing in use then: not part of the peak */
    struct libleak_profile_sample sample = {stack->frames, stack->depth, {0}, -1,
                                            libleak_thread_name(stack->thread_name), -1};
    libleak_profile_values(&totals, sample.values);
    walk->emit(&sample, walk->emit_context);
}

static void for_each_peak_sample(void *context,
                                 void (*emit)(const struct libleak_profile_sample *sample,
                                              void *emit_context),
                                 void *emit_context)
{
    const struct libleak_peak_moment *moment = context;
    struct peak_walk walk = {moment->epoch, emit, emit_context};
    libleak_stacks_for_each(emit_stack_at_peak, &walk);
}

int libleak_peak_write(const char *special)
{
    struct libleak_peak_moment moment;
    if (!libleak_peak_counters_moment(&moment)) {
        errno = ENOENT;
        return -1;
    }
    struct libleak_profile_source source = {for_each_peak_sample, &moment, libleak_stacks_count() + 1};
    char when[224];
    snprintf(when, sizeof when,
             "peak: %.1f MiB estimated in use, %u s after start (LIBLEAK_PEAK; found on the sampling path: "
             "exact in exact mode, within about one sampling period at other rates)",
             (double)moment.inuse_bytes / (1 << 20), moment.seconds);
    const char *comments[] = {when, NULL};
    return libleak_dump_special(special, &source, comments);
}

void libleak_peak_write_beside_snapshot(const char *number)
{
    char special[48];
    snprintf(special, sizeof special, LIBLEAK_PEAK_BESIDE_PREFIX "%s", number);
    libleak_peak_write(special);
}

/* A process in which nothing sampled was ever in use (a script's short children, at the
   default rate) has no peak and writes none, silently: a line for each would fill the
   program's stderr. A peak that cannot be written has been reported by the dump, with its
   reason. */
void libleak_peak_write_at_exit(void)
{
    libleak_peak_write("peak");
}

void libleak_peak_reset(void)
{
    libleak_peak_counters_restart();
}
