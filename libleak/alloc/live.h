/*
 * live — the addresses of live sampled blocks, so that their free is charged to the right
 * stack, and (in exact mode) every live block with its size and stack, for the leak gate.
 *
 * The free path asks "was this pointer sampled?" for every free. The answer must never be a
 * false "no" (that leaves a phantom leak) and must be cheap for the 99.9 % never sampled. Two
 * layers:
 *   - a counting filter: one 32-bit counter per bucket of addresses, raised before a sampled
 *     block is published and lowered after it is removed. A zero counter is a sure "no" after a
 *     single read of memory that only the (rare) sampling path writes.
 *   - an exact lock-free open-addressing table of (address, stack, size, birth), 22 bytes a
 *     slot (sizes of a terabyte and more are kept whole in a small table of their own), sharded by
 *     address hash, linear probing with tombstones and a bounded probe count. New blocks go to
 *     a shard's newest generation; once 3/4 of its slots have been used (live or tombstone) a
 *     fresh generation sized for the live blocks takes over. Older generations only drain: one
 *     that has emptied is retired and later reused, tombstones wiped; one that a few long-lived
 *     blocks keep alive has the tombstones no entry's probe run crosses cleared (no insert runs
 *     meanwhile) and takes new blocks again. Lookups walk the newest generation, the previous
 *     one, then the others still holding blocks. Nothing is ever moved and a generation holding
 *     a block is never retired, so no lookup misses a live entry; and probe runs stay short
 *     however long the program runs (a generation never fills with tombstones).
 */
#ifndef LIBLEAK_LIVE_H
#define LIBLEAK_LIVE_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc/thread.h"

#define LIBLEAK_LIVE_FILTER_BITS 16

extern _Atomic uint32_t libleak_live_filter[1u << LIBLEAK_LIVE_FILTER_BITS];

/* One counter per page, modulo 2^16 pages (256 MiB of address space): consecutive frees touch
   neighbouring counters, so the filter's few hot cache lines stay in L1 (a hashed bucket cost
   about 0.6 extra D1 misses per malloc+free pair on a churn loop). A block spanning pages is
   counted in the page it starts in, which is the address free is given. */
static inline uint64_t libleak_live_filter_bucket(const void *address)
{
    return ((uintptr_t)address >> 12) & ((1u << LIBLEAK_LIVE_FILTER_BITS) - 1);
}

/* The free path's one cheap check: false means "certainly not tracked". */
static inline bool libleak_live_maybe_tracked(const void *address)
{
    return atomic_load_explicit(&libleak_live_filter[libleak_live_filter_bucket(address)],
                                memory_order_relaxed) != 0;
}

/* Makes the filter answer "maybe" for every address, for good: exact mode, where every block
   is tracked and keeping counts would only cost atomics. */
void libleak_live_filter_saturate(void);

/* Makes the filter answer "maybe" for this address for good (bootstrap blocks, so that free
   finds them on its slow path). */
void libleak_live_filter_pin(const void *address);

struct libleak_live_block {
    uint32_t stack;       /* index in the stack table */
    uint64_t size;        /* bytes asked for, exactly */
    uint64_t birth_nanos; /* when it was sampled, nanoseconds since libleak started, kept to the
                             microsecond (libleak_live_now_nanos(), or whole seconds without
                             lifetimes) */
};

/* The block's birth in whole seconds since libleak started, as its age label counts. */
static inline uint32_t libleak_live_birth_seconds(struct libleak_live_block block)
{
    return (uint32_t)(block.birth_nanos / 1000000000);
}

/* Reads CLOCK_MONOTONIC for libleak_live_now_nanos and remembers it in `self`. */
uint64_t libleak_live_read_nanos(struct libleak_thread *self, uint64_t ticks);

/* The time-stamp counter's nanoseconds per tick, as measured since libleak started (0 until a
   millisecond has passed). */
extern _Atomic double libleak_live_nanos_per_tick;

/* Nanoseconds on CLOCK_MONOTONIC since libleak started: a sampled block's birth and death, for
   its lifetime; read on the sampling path only (every allocation and free in exact mode). The
   coarse clock ticks every 4 ms (HZ=250), too coarse for lifetimes of a millisecond, and the
   fine one costs ~37 ns through the vDSO (kvm-clock): within about a millisecond of this
   thread's last read the time-stamp counter (one instruction) carries it forward. */
static inline uint64_t libleak_live_now_nanos(void)
{
    struct libleak_thread *self = &libleak_thread;
    uint64_t ticks = 0;
#if defined(__x86_64__)
    ticks = __builtin_ia32_rdtsc();
    uint64_t since = ticks - self->nanos_read_at;
    double per_tick = atomic_load_explicit(&libleak_live_nanos_per_tick, memory_order_relaxed);
    if (since < (1u << 22) && per_tick > 0)
        return self->nanos_at_read + (uint64_t)((double)since * per_tick);
#endif
    return libleak_live_read_nanos(self, ticks);
}

/* Reads the clock for libleak_live_now_seconds and remembers the answer in `self`. */
uint32_t libleak_live_read_clock(struct libleak_thread *self);

/* Whole seconds on CLOCK_MONOTONIC (its coarse, vDSO-only variant) since libleak started. */
static inline uint32_t libleak_live_now_seconds(void)
{
    struct libleak_thread *self = &libleak_thread;
#if defined(__x86_64__)
    /* Exact mode asks on every allocation: within about a millisecond of the last answer (by the
       time-stamp counter, one instruction) this thread's last answer is still right. */
    uint64_t now = __builtin_ia32_rdtsc();
    if (now - self->clock_read_at < (1u << 22))
        return self->clock_seconds;
    self->clock_read_at = now;
#endif
    return libleak_live_read_clock(self);
}

/* Adds a block; false when the table is full or out of memory (the sample is dropped). */
bool libleak_live_insert(const void *address, struct libleak_live_block block);

/* Removes a block; false when the address was not tracked. Waits for nothing and allocates
   nothing, so it is safe in a signal handler that interrupted any operation of this table on
   the same thread: it only turns its own entry (an address the program still held, so never
   the one being inserted or removed underneath) into a tombstone with plain stores, lowers
   counters with atomics, and may retire a generation by compare-and-swap, which fails when the
   interrupted code holds that generation (an insert in flight counts as a live entry, a sweep
   or a retirement has moved its state). */
bool libleak_live_remove(const void *address, struct libleak_live_block *block);


/* The same without the birth (block->birth_nanos is 0): a free without lifetimes (LIBLEAK_LIFETIMES=0)
   does not need it, and reading it is another cache line. */
bool libleak_live_forget(const void *address, struct libleak_live_block *block);

/* Calls visit for every live block (concurrently with inserts and removes: a block added or
   removed meanwhile may or may not be seen). */
void libleak_live_for_each(void (*visit)(uintptr_t address, struct libleak_live_block block, void *context),
                           void *context);

uint64_t libleak_live_count(void);

/* For tests and benchmarks: the slots a lookup of `address` examines now, and the generations
   currently holding blocks (or taking them) over all shards. */
uint64_t libleak_live_probe_cost(const void *address);
uint32_t libleak_live_generations(void);

#endif
