/*
 * near_limit — LIBLEAK_NEAR_LIMIT=<percent> (default 90): a profile named "nearlimit" when the
 * usage of the tightest memory limit (os/memory_limits.c) crosses the threshold, then at the
 * further steps 95 % and 99 %; armed again once usage has dropped 5 points below the threshold.
 *
 * The watch's poll (watch.c, in the dumper thread, every LIBLEAK_WATCH_POLL_MS) calls
 * libleak_near_limit_poll while a limit applies. Near the limit there may be no memory left to
 * read debug information with, so while usage is past half the threshold the symbol cache is
 * warmed ahead (under the dump lock, only with LIBLEAK_SYMBOLIZE_HEADROOM left, as any use of
 * libdw): the near-limit profile then names the functions without needing memory.
 */
#include "dump/near_limit.h"

#include <stdint.h>
#include <stdio.h>

#include "alloc/own_stack.h"
#include "alloc/stacks.h"
#include "core/config.h"
#include "dump/dump.h"
#include "dump/symbols.h"
#include "dump/watch.h"
#include "os/memory_limits.h"

#define REARM_POINTS     5 /* below the threshold by this much before it can fire again */
#define POLLS_PER_SECOND (1000 / LIBLEAK_WATCH_POLL_MS)

static bool limits_found; /* some limit applied at start */
static unsigned steps[3]; /* the thresholds in percent: LIBLEAK_NEAR_LIMIT, 95, 99 */
static unsigned step_count;

/* Poll state: only the dumper thread (and the fork child, before it has a dumper) touch it. */
static unsigned steps_crossed;    /* how many of steps fired since usage was last well below */
static unsigned near_limit_files; /* near-limit profiles written */
static uint64_t retry_after_poll; /* after a failed near-limit dump, wait before trying again */
static uint64_t poll_count;
static uint64_t warmed_stacks;  /* stack count when the symbol cache was last warmed */
static uint64_t warmed_at_poll; /* poll_count then */

/* The cgroup walk keeps a path buffer per level (~12 KB in all): on the library's stack, for
   the constructor runs on the program's main stack, which `ulimit -s 28` makes that small
   (lib_small_stack). */
static void find_limits(void *unused)
{
    (void)unused;
    libleak_limits_init("/proc/self/cgroup", "/sys/fs/cgroup");
    limits_found = libleak_limits_any();
}

void libleak_near_limit_init(void)
{
    unsigned threshold = libleak_config.near_limit;
    if (!threshold)
        return;
    libleak_on_own_stack(find_limits, NULL);
    steps[step_count++] = threshold;
    if (threshold < 95)
        steps[step_count++] = 95;
    if (threshold < 99)
        steps[step_count++] = 99;
}

bool libleak_near_limit_active(void)
{
    return libleak_config.near_limit && limits_found;
}

static void warm_stack(struct libleak_stack *stack, void *context)
{
    (void)context;
    struct libleak_line lines[LIBLEAK_MAX_INLINE];
    int mapping;
    for (uint32_t i = 0; i < stack->depth; i++)
        libleak_symbols_lookup(stack->frames[i] - 1, true, lines, LIBLEAK_MAX_INLINE, &mapping);
}

/* Runs under the dump lock: the symbolizer is the dumpers' alone. */
static void warm_symbol_cache(void *context)
{
    (void)context;
    libleak_symbols_refresh();
    libleak_stacks_for_each(warm_stack, NULL);
    libleak_symbols_close_files();
}

/* Returns whether the profile was written. */
static bool write_near_limit(const struct libleak_limit *limit, unsigned crossed)
{
    char special[32], what[160], hint[128];
    if (near_limit_files == 0)
        snprintf(special, sizeof special, "nearlimit");
    else
        snprintf(special, sizeof special, "nearlimit.%u", near_limit_files + 1);
    snprintf(what, sizeof what, "near limit: %s is %llu bytes, %llu in use (%.1f %%), past the %u %% step",
             limit->name, (unsigned long long)limit->limit, (unsigned long long)limit->usage,
             100.0 * (double)limit->usage / (double)limit->limit, crossed);
    snprintf(hint, sizeof hint, "written by LIBLEAK_NEAR_LIMIT=%u (steps at %u, 95 and 99 %%)",
             libleak_config.near_limit, libleak_config.near_limit);
    const char *comments[] = {what, hint, NULL};
    if (libleak_dump_special(special, NULL, comments) != 0)
        return false;
    near_limit_files++;
    return true;
}

void libleak_near_limit_poll(void)
{
    poll_count++;
    struct libleak_limit limit;
    if (!libleak_limits_tightest(&limit))
        return;
    unsigned threshold = libleak_config.near_limit;
    double percent = 100.0 * (double)limit.usage / (double)limit.limit;
    if (percent < (double)threshold - REARM_POINTS)
        steps_crossed = 0;
    uint64_t stacks = libleak_stacks_count();
    /* At most once a second: each warming opens the binaries' debug information again. */
    if (percent >= threshold / 2.0 && stacks != warmed_stacks &&
        (warmed_at_poll == 0 || poll_count >= warmed_at_poll + POLLS_PER_SECOND) &&
        libleak_limits_headroom(NULL, 0) >= LIBLEAK_SYMBOLIZE_HEADROOM) {
        warmed_stacks = stacks;
        warmed_at_poll = poll_count;
        libleak_dump_with_lock(warm_symbol_cache, NULL);
    }
    unsigned reached = 0;
    while (reached < step_count && percent >= steps[reached])
        reached++;
    if (reached <= steps_crossed || poll_count < retry_after_poll)
        return;
    if (write_near_limit(&limit, steps[reached - 1]))
        steps_crossed = reached;
    else /* out of memory or disk: try again in a second, not at every poll */
        retry_after_poll = poll_count + POLLS_PER_SECOND;
}

/* poll_count and retry_after_poll go on counting: they only space out the work. */
void libleak_near_limit_after_fork_in_child(void)
{
    steps_crossed = near_limit_files = 0;
    warmed_stacks = warmed_at_poll = 0;
}
