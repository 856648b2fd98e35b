/*
 * peak — keeping the profile of the moment the program used the most memory (LIBLEAK_PEAK).
 *
 * The watch's poll (watch.c, in the dumper thread, every LIBLEAK_WATCH_POLL_MS) sums the
 * stacks' in-use counters anyway. When the sum is a new high, this file copies every stack's
 * four counters into a buffer: counters only — no symbolization, no file, nothing on the
 * program's threads. Two buffers take turns, so the recorded peak stays whole while the next
 * copy is made. At exit the buffer is written as a profile like any other, with %n = "peak";
 * with LIBLEAK_PEAK=all also after every snapshot, with %n = "peak.NNNN" beside snapshot NNNN.
 *
 * The margin: a new high is copied at once when it exceeds the recorded peak by 1 % or by one
 * sampling period (LIBLEAK_RATE bytes), whichever is larger, so a steady climb costs a copy per
 * percent, not per poll. A smaller new high is copied when the total has held still for one
 * poll period (the program rests at its high). The recorded peak is thus within that margin of
 * the highest total a poll saw; a spike that comes and goes between two polls is not seen.
 *
 * The copy is taken while program threads allocate and free: it is not an instant, each
 * stack's counters are as they were when the copy reached it.
 */
#include "dump/peak.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "dump/dump.h"
#include "alloc/live.h"
#include "alloc/memory.h"
#include "dump/profile_writer.h"
#include "alloc/stacks.h"
#include "alloc/thread_names.h"
#include "dump/watch.h"

struct peak_entry {
    const struct libleak_stack *stack; /* records never move */
    struct libleak_stack_totals totals;
};

struct peak_copy {
    struct peak_entry *entries;
    uint64_t count, capacity; /* capacity in entries of the mapping */
    uint64_t inuse_total;
    uint32_t seconds; /* libleak_live_now_seconds() when copied */
};

/* Guards the fields below; held only for a copy, never across a dump (so it has no order with
   the dump lock). */
static pthread_mutex_t peak_lock = PTHREAD_MUTEX_INITIALIZER;
static struct peak_copy copies[2];
static int recorded = -1;       /* index of the recorded peak in copies; -1: none yet */
static int being_written = -1;  /* index of the copy a writer reads; a poll must not refill it */
static uint64_t previous_total; /* the poll before this one, for the "held still" rule */

static bool reserve(struct peak_copy *copy, uint64_t needed)
{
    if (needed <= copy->capacity)
        return true;
    uint64_t capacity = needed + needed / 4 + 256;
    struct peak_entry *entries = libleak_map(capacity * sizeof *entries);
    if (!entries)
        return false;
    if (copy->entries)
        libleak_unmap(copy->entries, copy->capacity * sizeof *copy->entries);
    copy->entries = entries;
    copy->capacity = capacity;
    return true;
}

static void copy_stack(struct libleak_stack *stack, void *context)
{
    struct peak_copy *copy = context;
    if (copy->count == copy->capacity) /* interned during the copy: left out */
        return;
    struct peak_entry *entry = &copy->entries[copy->count];
    libleak_stacks_totals(stack, &entry->totals);
    if (entry->totals.alloc_bytes <= entry->totals.free_bytes)
        return; /* nothing in use: not part of the peak */
    entry->stack = stack;
    copy->count++;
}

static bool is_new_high(uint64_t total)
{
    if (recorded < 0)
        return total > 0;
    uint64_t peak = copies[recorded].inuse_total;
    if (total <= peak)
        return false;
    uint64_t margin = peak / 100 > libleak_config.rate ? peak / 100 : libleak_config.rate;
    return total - peak >= margin || total == previous_total;
}

void libleak_peak_consider(uint64_t inuse_total)
{
    pthread_mutex_lock(&peak_lock);
    int target = recorded == 0 ? 1 : 0;
    if (is_new_high(inuse_total) && target != being_written) {
        struct peak_copy *next = &copies[target];
        if (reserve(next, libleak_stacks_count() + 64)) {
            next->count = 0;
            libleak_stacks_for_each(copy_stack, next);
            next->inuse_total = inuse_total;
            next->seconds = libleak_live_now_seconds();
            recorded = target;
        }
    }
    previous_total = inuse_total;
    pthread_mutex_unlock(&peak_lock);
}

static void for_each_peak_sample(void *context,
                                 void (*emit)(const struct libleak_profile_sample *sample,
                                              void *emit_context),
                                 void *emit_context)
{
    const struct peak_copy *copy = context;
    for (uint64_t i = 0; i < copy->count; i++) {
        const struct libleak_stack *stack = copy->entries[i].stack;
        struct libleak_profile_sample sample = {stack->frames, stack->depth, {0}, -1, libleak_thread_name(stack->thread_name), -1};
        libleak_profile_values(&copy->entries[i].totals, sample.values);
        emit(&sample, emit_context);
    }
}

int libleak_peak_write(const char *special)
{
    pthread_mutex_lock(&peak_lock);
    if (recorded < 0 || being_written >= 0) { /* none yet, or another thread writes it now */
        pthread_mutex_unlock(&peak_lock);
        errno = recorded < 0 ? ENOENT : EBUSY;
        return -1;
    }
    being_written = recorded;
    pthread_mutex_unlock(&peak_lock);

    const struct peak_copy *copy = &copies[being_written];
    struct libleak_profile_source source = {for_each_peak_sample, (void *)copy, copy->count + 1};
    char when[224];
    snprintf(when, sizeof when,
             "peak: %.1f MiB estimated in use, %u s after start (LIBLEAK_PEAK; copied by a poll every %d ms, "
             "within 1 %% or one sampling period of the highest total a poll saw)",
             (double)copy->inuse_total / (1 << 20), copy->seconds, LIBLEAK_WATCH_POLL_MS);
    const char *comments[] = {when, NULL};
    int result = libleak_dump_special(special, &source, comments);
    int saved_errno = errno;

    pthread_mutex_lock(&peak_lock);
    being_written = -1;
    pthread_mutex_unlock(&peak_lock);
    errno = saved_errno;
    return result;
}

void libleak_peak_write_beside_snapshot(uint64_t inuse_total, const char *number)
{
    libleak_peak_consider(inuse_total); /* the snapshot's moment may be the peak */
    char special[48];
    snprintf(special, sizeof special, LIBLEAK_PEAK_BESIDE_PREFIX "%s", number);
    libleak_peak_write(special);
}

/* A process in which nothing sampled was ever in use (a script's short children, at the
   default rate) has no peak and writes none, silently: a line for each would fill the
   program's stderr. A peak that cannot be written has been reported by the dump, with its
   reason. */
void libleak_peak_write_at_exit(uint64_t inuse_total)
{
    libleak_peak_consider(inuse_total);
    libleak_peak_write("peak");
}

void libleak_peak_reset(void)
{
    recorded = being_written = -1;
    previous_total = 0;
}

void libleak_peak_before_fork(void)
{
    pthread_mutex_lock(&peak_lock);
}

void libleak_peak_after_fork(void)
{
    pthread_mutex_unlock(&peak_lock);
}
