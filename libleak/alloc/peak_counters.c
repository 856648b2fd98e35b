/*
 * peak_counters — the peak found where it happens: on the sampling path (LIBLEAK_PEAK).
 *
 * Every charge of a sample or of its free to a stack's counters (track.c) also moves a global
 * estimated in-use total by the sample's weighted bytes. When an allocation takes the total
 * above its highest value, the peak *epoch* is bumped. Nothing is copied then; instead each
 * stack saves its counters lazily: before a change, a stack whose saved epoch is not the
 * current one saves its counters, summed over the stripes (stacks.c), which is their value at
 * the peak since they have not changed since, and takes the current epoch. The peak profile
 * reads, for each stack, the saved counters if their epoch is the peak's and the summed ones
 * otherwise (not changed since the peak). O(1) per sample outside new highs, no table copied,
 * and exact in exact mode for a spike of any length: at the default rate the total moves once
 * per 512 KiB sampled on average, in exact mode on every allocation and free.
 *
 * Ordering in a change: save, then charge the stack, then move the total and maybe bump. An
 * allocation that makes the new high is thus part of it: the bump comes after its charge, so
 * the stack's saved epoch is older than the new one and its summed counters, with the charge,
 * are read.
 *
 * Threads. A save is claimed by compare-and-swap of the record's epoch to (epoch | SAVING) and
 * published by storing the epoch, so two savers never interleave their copies and a reader
 * never takes a half-written copy (it reads the sums of a record being saved, and re-checks the
 * epoch after reading a saved copy). No thread ever waits for another: a change that finds a
 * save under way goes on. So a change of one thread can land on the wrong side of another
 * thread's peak when they race: made between the bump and the save that follows it on another
 * thread, or between one thread's reading the epoch and its charge while another bumps.
 * The bound: at the moment of the peak, each thread has at most one change in flight, so the
 * peak profile is off by at most one sample per concurrently allocating or freeing thread (in
 * exact mode one block per thread); with one thread (or one thread touching the stack) it is
 * exact. A signal handler that frees while this thread is in the middle of a change counts as
 * another thread. The total and its highest value are each one atomic word; the profile is
 * written while threads keep changing counters, as every profile is (a stack read after a
 * newer peak shows that peak's values, or its sums now).
 *
 * Cost: nothing unless LIBLEAK_PEAK is set (one predictable branch per sample). With it, per
 * sample: the epoch test and one atomic add to the total (a cache line shared by every thread:
 * in exact mode one contended add per allocation and free, next to the live table's); at a
 * new high a compare-and-swap and an add; and, at the first change of a stack after each new
 * high, a sum over the stripes (one per thread alive at once).
 */
#include "alloc/peak_counters.h"

#include <stdatomic.h>

#include "alloc/live.h"
#include "alloc/memory.h"

#define SAVING     (1ull << 63)
#define CHUNK_BITS 8
#define CHUNK_SIZE (1u << CHUNK_BITS)

/* A stack's counters at the peak of `saved_epoch`, once it has changed since. */
struct record {
    _Atomic uint64_t saved_epoch; /* | SAVING while copied; 0: never saved */
    _Atomic uint64_t alloc_objects, alloc_bytes, free_objects, free_bytes;
};

bool libleak_peak_counters_on;

static _Atomic(struct record *) *chunks; /* max_stacks / CHUNK_SIZE of them, mapped at init */
static uint64_t chunk_count;

/* Written by every thread that samples: a cache line of its own, away from read-mostly data. */
static struct {
    _Atomic int64_t inuse;   /* the estimated in-use total, bytes */
    _Atomic int64_t highest; /* its highest value so far */
    _Atomic uint64_t epoch;  /* bumped at each new highest value; starts at 1 */
    _Atomic uint32_t seconds;
} __attribute__((aligned(64))) total;

bool libleak_peak_counters_init(uint64_t max_stacks)
{
    chunk_count = (max_stacks + CHUNK_SIZE - 1) / CHUNK_SIZE;
    chunks = libleak_map(chunk_count * sizeof *chunks);
    if (!chunks)
        return false;
    atomic_store(&total.epoch, 1);
    libleak_peak_counters_on = true;
    return true;
}

/* A chunk of records mapped on first use (by whichever thread gets there first). */
__attribute__((noinline)) static struct record *map_chunk(_Atomic(struct record *) *slot)
{
    struct record *fresh = libleak_map(CHUNK_SIZE * sizeof *fresh), *chunk = NULL;
    if (!fresh)
        return NULL;
    if (atomic_compare_exchange_strong_explicit(slot, &chunk, fresh, memory_order_acq_rel, memory_order_acquire))
        return fresh;
    libleak_unmap(fresh, CHUNK_SIZE * sizeof *fresh);
    return chunk;
}

/* The record of stack `ordinal`, its chunk mapped if `map`; NULL when it is not (memory ran
   out). Inline: exact mode asks twice per malloc+free pair. */
static inline struct record *record_for(uint32_t ordinal, bool map)
{
    _Atomic(struct record *) *slot = &chunks[ordinal >> CHUNK_BITS];
    struct record *chunk = atomic_load_explicit(slot, memory_order_acquire);
    if (__builtin_expect(!chunk, 0) && map)
        chunk = map_chunk(slot);
    return chunk ? &chunk[ordinal & (CHUNK_SIZE - 1)] : NULL;
}

/* The stack has not changed since the peak of `epoch`: its counters summed now are their value
   then. Out of line: once per stack and new high. */
__attribute__((noinline)) static void save(struct record *record, const struct libleak_stack *stack,
                                           uint64_t epoch, uint64_t saved)
{
    /* An older epoch's save under way (or left half done by a thread that forked away) is
       taken over: its owner's final compare-and-swap then fails and leaves ours. */
    if (!atomic_compare_exchange_strong_explicit(&record->saved_epoch, &saved, epoch | SAVING,
                                                 memory_order_acquire, memory_order_relaxed))
        return; /* another thread saves it now: a change may land in its copy (the bound) */
    struct libleak_stack_totals totals;
    libleak_stacks_totals(stack, &totals);
    atomic_store_explicit(&record->alloc_objects, totals.alloc_objects, memory_order_relaxed);
    atomic_store_explicit(&record->alloc_bytes, totals.alloc_bytes, memory_order_relaxed);
    atomic_store_explicit(&record->free_objects, totals.free_objects, memory_order_relaxed);
    atomic_store_explicit(&record->free_bytes, totals.free_bytes, memory_order_relaxed);
    uint64_t claimed = epoch | SAVING;
    atomic_compare_exchange_strong_explicit(&record->saved_epoch, &claimed, epoch, memory_order_release,
                                            memory_order_relaxed);
}

void libleak_peak_counters_before_change(const struct libleak_stack *stack)
{
    struct record *record = record_for(stack->ordinal, true);
    if (!record)
        return; /* out of memory for a chunk: the stack is read as it is at the end */
    uint64_t epoch = atomic_load_explicit(&total.epoch, memory_order_acquire);
    uint64_t saved = atomic_load_explicit(&record->saved_epoch, memory_order_acquire);
    if (__builtin_expect(saved != epoch && saved != (epoch | SAVING), 0))
        save(record, stack, epoch, saved);
}

__attribute__((noinline)) static void raise_highest(int64_t inuse)
{
    int64_t highest = atomic_load_explicit(&total.highest, memory_order_relaxed);
    while (inuse > highest) {
        if (atomic_compare_exchange_weak_explicit(&total.highest, &highest, inuse, memory_order_relaxed,
                                                  memory_order_relaxed)) {
            /* Release: a thread that sees the new epoch sees every change made before it. */
            atomic_fetch_add_explicit(&total.epoch, 1, memory_order_acq_rel);
            atomic_store_explicit(&total.seconds, libleak_live_now_seconds(), memory_order_relaxed);
            return;
        }
    }
}

void libleak_peak_counters_after_change(struct libleak_weight weight, bool allocation)
{
    int64_t bytes = allocation ? (int64_t)weight.bytes : -(int64_t)weight.bytes;
    int64_t inuse = atomic_fetch_add_explicit(&total.inuse, bytes, memory_order_acq_rel) + bytes;
    if (allocation && inuse > atomic_load_explicit(&total.highest, memory_order_relaxed))
        raise_highest(inuse);
}

bool libleak_peak_counters_moment(struct libleak_peak_moment *moment)
{
    if (!libleak_peak_counters_on)
        return false;
    moment->epoch = atomic_load_explicit(&total.epoch, memory_order_acquire);
    moment->inuse_bytes = atomic_load_explicit(&total.highest, memory_order_relaxed);
    moment->seconds = atomic_load_explicit(&total.seconds, memory_order_relaxed);
    return moment->inuse_bytes > 0;
}

void libleak_peak_counters_at_peak(const struct libleak_stack *stack, uint64_t epoch,
                                   struct libleak_stack_totals *totals)
{
    struct record *record = libleak_peak_counters_on ? record_for(stack->ordinal, false) : NULL;
    if (record && atomic_load_explicit(&record->saved_epoch, memory_order_acquire) == epoch) {
        totals->alloc_objects = atomic_load_explicit(&record->alloc_objects, memory_order_relaxed);
        totals->alloc_bytes = atomic_load_explicit(&record->alloc_bytes, memory_order_relaxed);
        totals->free_objects = atomic_load_explicit(&record->free_objects, memory_order_relaxed);
        totals->free_bytes = atomic_load_explicit(&record->free_bytes, memory_order_relaxed);
        /* Saved again meanwhile (a newer peak): that copy may be torn; the sums are not. */
        if (atomic_load_explicit(&record->saved_epoch, memory_order_acquire) == epoch)
            return;
    }
    libleak_stacks_totals(stack, totals); /* not changed since the peak */
}

void libleak_peak_counters_restart(void)
{
    if (!libleak_peak_counters_on)
        return;
    atomic_store(&total.highest, atomic_load(&total.inuse));
    atomic_fetch_add(&total.epoch, 1);
    atomic_store(&total.seconds, libleak_live_now_seconds());
}
