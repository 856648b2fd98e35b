/*
 * stacks — the table of call stacks and their counters.
 *
 * A stack (captured by unwind.c) is hashed once and interned in a lock-free open-addressing
 * table whose slots hold indexes of records in an mmap'ed arena. Each record also gets a dense
 * ordinal, which numbers its counters.
 *
 * The counters are striped per thread, as jemalloc keeps a prof_tctx_t per thread and
 * backtrace: a thread charges its own stripe with plain (single-writer) adds, so no cache line
 * is shared between threads on the allocation or free path, and a profile sums the stripes.
 * A stripe outlives its thread: at thread exit it is handed back and the next new thread
 * continues adding to it, so nothing is lost and threads that come and go cost no memory.
 * A thread's first 256 charges go to a shared stripe (atomic adds), so that programs with many
 * short-lived threads do not map a stripe for each.
 *
 * A record's key is its frames and the name of the allocating thread (thread_names.h): the same
 * stack allocated by two differently named threads has two records, so each (stack, thread)
 * pair has its own counters, and a free charges the record its allocation charged (the live
 * table keeps the record's index).
 *
 * The frees of a record are also counted by lifetime, in decades (LIBLEAK_LIFETIME_BUCKETS),
 * in counters of their own striped like the others but mapped only when a stripe first charges
 * a free to a chunk of records: records whose blocks are never freed cost nothing more.
 */
#ifndef LIBLEAK_STACKS_H
#define LIBLEAK_STACKS_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc/sampler.h"

struct libleak_stack {
    uint64_t hash;
    uint32_t depth;
    uint32_t ordinal;     /* 0, 1, 2...: where the stack's counters are in every stripe */
    uint32_t thread_name; /* the allocating thread's name (thread_names.h), part of the key */
    uintptr_t frames[]; /* return addresses, the allocation's caller first */
};

/* A stack's counters summed over every stripe: fixed point, LIBLEAK_OBJECT_ONE per object. */
struct libleak_stack_totals {
    uint64_t alloc_objects, alloc_bytes, free_objects, free_bytes;
};

/* Lifetimes of freed blocks, in decades: bucket 0 holds those that lived under 1 us, bucket
   i > 0 those that lived from 10^(i-1) us to 10^i us (the last one also takes longer lives). */
#define LIBLEAK_LIFETIME_BUCKETS 12

/* A bucket's upper bound in nanoseconds. */
static inline uint64_t libleak_lifetime_bound(unsigned bucket)
{
    static const uint64_t bounds[LIBLEAK_LIFETIME_BUCKETS] = {
            1000ull,          10000ull,          100000ull,          1000000ull,
            10000000ull,      100000000ull,      1000000000ull,      10000000000ull,
            100000000000ull,  1000000000000ull,  10000000000000ull,  100000000000000ull};
    return bounds[bucket];
}

/* A bucket's lower bound in nanoseconds: the value of the profile's `lifetime` label, so that
   pprof's -tagfocus=lifetime=X: keeps exactly the blocks that lived X or longer (X a power of
   ten from 1us), and lifetime=:X those that lived less than 10 X. */
static inline uint64_t libleak_lifetime_label(unsigned bucket)
{
    return bucket ? libleak_lifetime_bound(bucket - 1) : 0;
}

static inline unsigned libleak_lifetime_bucket(uint64_t nanoseconds)
{
    unsigned bucket = 0;
    while (bucket + 1 < LIBLEAK_LIFETIME_BUCKETS && nanoseconds >= libleak_lifetime_bound(bucket))
        bucket++;
    return bucket;
}

/* A record's freed blocks by lifetime, summed over the stripes: fixed point as the totals. */
struct libleak_stack_lifetimes {
    uint64_t objects[LIBLEAK_LIFETIME_BUCKETS], bytes[LIBLEAK_LIFETIME_BUCKETS];
};

/* Reserves the table for at most max_stacks stacks (their records are mapped as needed). */
bool libleak_stacks_init(uint64_t max_stacks);

/* Finds or adds the (stack, thread name) record; returns its index, or 0 when the table is full. */
uint32_t libleak_stacks_intern(const uintptr_t *frames, int depth, uint32_t thread_name);

struct libleak_stack *libleak_stacks_get(uint32_t index);

/* Adds a sampled allocation (or its free) to the stack's counters in this thread's stripe; an
   allocation also counts as a sample taken. */
void libleak_stacks_charge(const struct libleak_stack *stack, struct libleak_weight weight, bool allocation);

/* The same for the stack at `index`: one call on exact mode's path instead of two. */
void libleak_stacks_charge_index(uint32_t index, struct libleak_weight weight, bool allocation);

/* The same from anywhere: a signal handler that interrupted this thread inside libleak, maybe
   in the middle of a charge to its own stripe (plain adds) or of adopting one (pthread_once,
   pthread_setspecific). Atomic adds to the shared stripe; at worst a chunk of it is mapped. */
void libleak_stacks_charge_reentrant(uint32_t index, struct libleak_weight weight, bool allocation);

/* A sampled block's free, `lifetime` nanoseconds after its allocation, to the lifetime's bucket
   (its free counters are charged apart). `reentrant` as libleak_stacks_charge_reentrant. */
void libleak_stacks_charge_lifetime(uint32_t index, struct libleak_weight weight, uint64_t lifetime, bool reentrant);

/* Sums the record's lifetime counters over every stripe. */
void libleak_stacks_lifetimes(const struct libleak_stack *stack, struct libleak_stack_lifetimes *lifetimes);

/* Sums the stack's counters over every stripe (exact when no thread is charging it meanwhile). */
void libleak_stacks_totals(const struct libleak_stack *stack, struct libleak_stack_totals *totals);

/* The samples taken so far by every thread (striped like the stacks' counters). */
uint64_t libleak_stacks_samples(void);

/* Calls visit for every stack interned so far (any thread, concurrently with interning). */
void libleak_stacks_for_each(void (*visit)(struct libleak_stack *stack, void *context), void *context);

uint64_t libleak_stacks_count(void);
uint64_t libleak_stacks_capacity(void);

#endif
