/*
 * watch — what libleak's dumper thread does between snapshots, while nobody watches the
 * program, and which feature needs it.
 *
 * The dumper calls libleak_watch_poll() every LIBLEAK_WATCH_POLL_MS while libleak_watch_active()
 * says a feature needs it; the poll reads what is summed anyway — the stacks' counters, the
 * rlimits, the cgroup's files — and hands it to the features, each in its own file:
 *
 * - growth_snapshots.c (LIBLEAK_INUSE_INTERVAL): a snapshot per so many bytes of growth of the
 *   estimated in-use total;
 * - peak.c (LIBLEAK_PEAK) needs no poll: the peak is followed on the sampling path
 *   (alloc/peak_counters.c); this file only has it written at exit, or also beside every
 *   snapshot;
 * - near_limit.c (LIBLEAK_NEAR_LIMIT): profiles as usage nears the tightest memory limit; it
 *   needs the poll only when a limit applies.
 *
 * kept_files.c (LIBLEAK_MAX_FILES) needs no poll: dump.c tells of every file written, through
 * this file, and the oldest snapshots go. Everything here runs in the dumper thread or after a
 * dump, never on the allocation path. Each feature reads its settings from libleak_config
 * (config.c) and resets its own state in a fork child (called from lifecycle.c).
 */
#include "dump/watch.h"

#include <stdint.h>

#include "alloc/stacks.h"
#include "core/config.h"
#include "dump/growth_snapshots.h"
#include "dump/kept_files.h"
#include "dump/near_limit.h"
#include "dump/peak.h"
#include "os/descriptors.h"

void libleak_watch_init(void)
{
    libleak_near_limit_init();
}

bool libleak_watch_active(void)
{
    return libleak_config.rate != 0 &&
           (libleak_config.inuse_interval || libleak_near_limit_active());
}

/* The estimated in-use total: the sum of the stacks' counters (each clamped at zero). */
static void add_inuse(struct libleak_stack *stack, void *context)
{
    struct libleak_stack_totals totals;
    libleak_stacks_totals(stack, &totals);
    if (totals.alloc_bytes > totals.free_bytes)
        *(uint64_t *)context += totals.alloc_bytes - totals.free_bytes;
}

static uint64_t inuse_total(void)
{
    uint64_t total = 0;
    libleak_stacks_for_each(add_inuse, &total);
    return total;
}

void libleak_watch_poll(void)
{
    if (!libleak_watch_active())
        return;
    if (libleak_config.inuse_interval)
        libleak_growth_snapshots_poll(inuse_total());
    if (libleak_near_limit_active())
        libleak_near_limit_poll();
}

void libleak_watch_snapshot_written(const char *name, const char *number)
{
    if (!name) /* a file the program named: neither counted nor given a peak beside it */
        return;
    libleak_kept_files_add_snapshot(name, number);
    if (libleak_config.peak == LIBLEAK_PEAK_WITH_SNAPSHOTS)
        libleak_peak_write_beside_snapshot(number);
}

void libleak_watch_special_written(const char *name, const char *special)
{
    libleak_kept_files_add_special(name, special);
}

void libleak_watch_at_exit(void)
{
    if (libleak_config.peak != LIBLEAK_PEAK_OFF && libleak_config.rate != 0) {
        libleak_descriptors_copy_table(); /* on the exiting thread: see dump.c's exit profile */
        libleak_peak_write_at_exit();
    }
}
