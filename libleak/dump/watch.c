/*
 * watch — catching the moments that matter while nobody watches the program.
 *
 * Everything here runs in libleak's dumper thread (or at exit), never on the allocation path:
 * the dumper calls libleak_watch_poll() every LIBLEAK_WATCH_POLL_MS while a feature is on, and
 * the poll reads what is summed anyway — the stacks' counters, the rlimits, the cgroup's files.
 *
 * - LIBLEAK_INUSE_INTERVAL=<bytes>: an ordinary snapshot whenever the estimated in-use total
 *   has grown by that much since the last snapshot of this kind (gperftools'
 *   HEAP_PROFILE_INUSE_INTERVAL). At most one per poll: it is late by up to one poll period
 *   plus the time of the previous dump.
 * - LIBLEAK_PEAK: the peak profile (peak.c), written at exit, or also with every snapshot.
 * - LIBLEAK_NEAR_LIMIT=<percent> (default 90): a snapshot named "nearlimit" when the usage of
 *   the tightest memory limit (memory_limits.c) crosses the threshold, then at the further steps 95 %
 *   and 99 %; armed again once usage has dropped 5 points below the threshold. While usage is
 *   past half the threshold, the symbol cache is warmed (under the dump lock, only with
 *   LIBLEAK_SYMBOLIZE_HEADROOM left, as any use of libdw), so that the near-limit profile can name functions without needing memory then.
 * - LIBLEAK_MAX_FILES=<n>: at most n ordinary snapshots of this process stay on disk; the
 *   oldest is removed, never the first (the base of every comparison); special profiles
 *   (peak, nearlimit, leaks) are never counted nor removed.
 */
#include "dump/watch.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/config.h"
#include "dump/dump.h"
#include "os/memory_limits.h"
#include "core/log.h"
#include "dump/peak.h"
#include "alloc/stacks.h"
#include "dump/symbols.h"

#define REARM_POINTS 5 /* below the threshold by this much before it can fire again */

static bool limits_found; /* some limit applied at start */

/* Poll state: only the dumper thread (and the exit, after the dumper's last poll) touch it. */
static uint64_t inuse_base; /* in-use total at the last LIBLEAK_INUSE_INTERVAL snapshot */
static unsigned steps[3];   /* the thresholds in percent: LIBLEAK_NEAR_LIMIT, 95, 99 */
static unsigned step_count;
static unsigned steps_crossed;    /* how many of steps fired since usage was last well below */
static unsigned near_limit_files; /* near-limit profiles written */
static uint64_t retry_after_poll; /* after a failed near-limit dump, wait before trying again */
static uint64_t poll_count;
static uint64_t warmed_stacks;  /* stack count when the symbol cache was last warmed */
static uint64_t warmed_at_poll; /* poll_count then */

/* LIBLEAK_MAX_FILES: the first snapshot and a ring of the newest, under files_lock (a snapshot
   may be written by any thread calling libleak_dump). With LIBLEAK_PEAK=all each snapshot has a
   peak.NNNN beside it, which goes when the snapshot goes: otherwise those alone would fill the
   disk of a service that never exits. */
struct kept_file {
    char *name;
    char *peak;      /* its peak.NNNN, or NULL */
    char number[16]; /* its sequence text, "0003" */
};
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept_file first_file;
static struct kept_file *ring;
static uint64_t ring_start, ring_count;

static void before_fork(void)
{
    pthread_mutex_lock(&files_lock);
    libleak_peak_before_fork();
}

static void after_fork_in_parent(void)
{
    libleak_peak_after_fork();
    pthread_mutex_unlock(&files_lock);
}

/* The child has its own snapshots (its own pid in the names, %n from 1) and its own peak. */
static void after_fork_in_child(void)
{
    libleak_peak_after_fork();
    libleak_peak_reset();
    first_file = (struct kept_file){NULL, NULL, ""}; /* the parent's names, not freed: the child may
                                                        not own them */
    ring = NULL;
    ring_start = ring_count = 0;
    pthread_mutex_unlock(&files_lock);
    inuse_base = 0;
    steps_crossed = near_limit_files = 0;
    warmed_stacks = warmed_at_poll = 0;
}

void libleak_watch_init(void)
{
    if (libleak_config.near_limit) {
        libleak_limits_init("/proc/self/cgroup", "/sys/fs/cgroup");
        limits_found = libleak_limits_any();
        steps[step_count++] = libleak_config.near_limit;
        if (libleak_config.near_limit < 95)
            steps[step_count++] = 95;
        if (libleak_config.near_limit < 99)
            steps[step_count++] = 99;
    }
    pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}

bool libleak_watch_active(void)
{
    return libleak_config.rate != 0 &&
           (libleak_config.inuse_interval || libleak_config.peak != LIBLEAK_PEAK_OFF ||
            (libleak_config.near_limit && limits_found));
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

static void watch_limits(void)
{
    struct libleak_limit limit;
    if (!libleak_limits_tightest(&limit))
        return;
    double percent = 100.0 * (double)limit.usage / (double)limit.limit;
    if (percent < (double)libleak_config.near_limit - REARM_POINTS)
        steps_crossed = 0;
    uint64_t stacks = libleak_stacks_count();
    /* At most once a second: each warming opens the binaries' debug information again. */
    if (percent >= libleak_config.near_limit / 2.0 && stacks != warmed_stacks &&
        (warmed_at_poll == 0 || poll_count >= warmed_at_poll + 1000 / LIBLEAK_WATCH_POLL_MS) &&
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
        retry_after_poll = poll_count + 1000 / LIBLEAK_WATCH_POLL_MS;
}

void libleak_watch_poll(void)
{
    if (!libleak_watch_active())
        return;
    poll_count++;
    if (libleak_config.inuse_interval || libleak_config.peak != LIBLEAK_PEAK_OFF) {
        uint64_t total = inuse_total();
        if (libleak_config.peak != LIBLEAK_PEAK_OFF)
            libleak_peak_consider(total);
        /* From the total at the last such snapshot, as gperftools: a program whose use rises
           and falls by less than the interval around a level writes nothing more. */
        if (libleak_config.inuse_interval && total >= inuse_base &&
            total - inuse_base >= libleak_config.inuse_interval) {
            inuse_base = total;
            libleak_dump_now(NULL);
        }
    }
    if (libleak_config.near_limit && limits_found)
        watch_limits();
}

static void remove_file(const char *name)
{
    if (name && unlink(name) != 0 && errno != ENOENT)
        libleak_log("LIBLEAK_MAX_FILES: cannot remove %s: %s", name, strerror(errno));
}

static void remember_file(const char *name, const char *number)
{
    struct kept_file kept = {strdup(name), NULL, ""};
    if (!kept.name)
        return;
    snprintf(kept.number, sizeof kept.number, "%s", number);
    pthread_mutex_lock(&files_lock);
    if (!first_file.name) {
        first_file = kept;
        pthread_mutex_unlock(&files_lock);
        return;
    }
    uint64_t keep = libleak_config.max_files - 1; /* besides the first */
    if (!ring)
        ring = calloc(keep, sizeof *ring);
    if (!ring) {
        pthread_mutex_unlock(&files_lock);
        free(kept.name);
        return;
    }
    if (ring_count == keep) {
        struct kept_file *oldest = &ring[ring_start];
        ring_start = (ring_start + 1) % keep;
        ring_count--;
        remove_file(oldest->name);
        remove_file(oldest->peak);
        free(oldest->name);
        free(oldest->peak);
    }
    ring[(ring_start + ring_count++) % keep] = kept;
    pthread_mutex_unlock(&files_lock);
}

/* The peak.NNNN of a snapshot remembered above: it is removed with that snapshot. */
static void remember_peak_file(const char *name, const char *number)
{
    char *copy = strdup(name);
    if (!copy)
        return;
    pthread_mutex_lock(&files_lock);
    struct kept_file *owner = NULL;
    if (first_file.name && strcmp(first_file.number, number) == 0)
        owner = &first_file;
    for (uint64_t i = 0; !owner && ring && i < ring_count; i++) {
        struct kept_file *kept = &ring[(ring_start + i) % (libleak_config.max_files - 1)];
        if (strcmp(kept->number, number) == 0)
            owner = kept;
    }
    if (owner && !owner->peak) {
        owner->peak = copy;
        copy = NULL;
    }
    pthread_mutex_unlock(&files_lock);
    free(copy);
}

void libleak_watch_special_written(const char *name, const char *special)
{
    if (libleak_config.max_files && strncmp(special, "peak.", 5) == 0)
        remember_peak_file(name, special + 5);
}

void libleak_watch_snapshot_written(const char *name, const char *number)
{
    if (name && libleak_config.max_files)
        remember_file(name, number);
    if (name &&
        libleak_config.peak == LIBLEAK_PEAK_WITH_SNAPSHOTS) { /* not beside a file the program named */
        libleak_peak_consider(inuse_total());                 /* the snapshot's moment may be the peak */
        char special[48];
        snprintf(special, sizeof special, "peak.%s", number);
        libleak_peak_write(special);
    }
}

void libleak_watch_at_exit(void)
{
    if (libleak_config.peak == LIBLEAK_PEAK_OFF || libleak_config.rate == 0)
        return;
    /* A process in which nothing sampled was ever in use (a script's short children, at the
       default rate) has no peak and writes none, silently: a line for each would fill the
       program's stderr. A peak that cannot be written has been reported by the dump, with its
       reason. */
    libleak_peak_consider(inuse_total());
    libleak_peak_write("peak");
}
