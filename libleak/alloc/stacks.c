/*
 * stacks — the stack table (lock-free interning into an arena of records) and the per-thread
 * stripes of counters; see stacks.h.
 *
 * Its table is not id_map.h's: the allocation path of every thread interns into it at once,
 * so slots are claimed with compare-and-swap and records never move; id_map is the dumper's
 * single-threaded table.
 */
#include "alloc/stacks.h"

#include <pthread.h>
#include <string.h>

#include "core/config.h"
#include "common/hash.h"
#include "alloc/memory.h"
#include "alloc/thread.h"

/* Records start on cache-line boundaries and live in 4 MiB chunks mapped as they are needed
   (reserving the whole arena up front would eat the address space of a program run under
   ulimit -v). Index i is record slot i & CHUNK_MASK of chunk i >> CHUNK_BITS; index 0 is never
   handed out, so a zero slot means "empty". The live table keeps indexes in 24 bits. */
#define RECORD_ALIGN  64
#define CHUNK_BITS    16
#define CHUNK_RECORDS (1u << CHUNK_BITS)
#define CHUNK_MASK    (CHUNK_RECORDS - 1)
#define CHUNK_BYTES   ((size_t)CHUNK_RECORDS * RECORD_ALIGN)
#define MAX_CHUNKS    (1u << (24 - CHUNK_BITS))
#define MAX_PROBES    4096

static _Atomic uint32_t *slots;
static uint64_t slot_mask;

/* Which pages of the slot table hold a stack: for_each visits only those. Reading the whole
   table (2 MiB by default) faults in every page of it, which was most of a small program's
   exit profile (docs/PERFORMANCE.md, issue 18). Set once per new stack, never cleared. */
#define SLOTS_PER_PAGE_BITS 10 /* 4 KiB of 4-byte slots */
#define MAX_SLOT_PAGES      ((1u << 25) >> SLOTS_PER_PAGE_BITS) /* 2^24 stacks, slots = 2 x */
static _Atomic uint64_t used_slot_pages[MAX_SLOT_PAGES / 64];
static _Atomic(char *) chunks[MAX_CHUNKS];
static _Atomic uint64_t arena_used; /* in records of RECORD_ALIGN bytes */
static _Atomic uint64_t stack_count;
static _Atomic uint32_t next_ordinal;
static uint64_t stack_capacity;

/* A stripe: one thread's counters for every stack it charged, in chunks of STRIPE_CHUNK
   stacks (numbered by ordinal) mapped when the thread first charges one of them. Only the
   owning thread writes a stripe (relaxed loads and stores, no read-modify-write), except the
   shared stripe. */
#define STRIPE_CHUNK_BITS 8
#define STRIPE_CHUNK      (1u << STRIPE_CHUNK_BITS)
#define STRIPE_AFTER      256 /* charges a thread makes on the shared stripe before its own */

struct counters {
    _Atomic uint64_t alloc_objects, alloc_bytes, free_objects, free_bytes;
};

struct lifetimes {
    _Atomic uint64_t objects[LIBLEAK_LIFETIME_BUCKETS], bytes[LIBLEAK_LIFETIME_BUCKETS];
};

struct libleak_stripe {
    struct libleak_stripe *next; /* every stripe ever made, newest first (never unlinked) */
    _Atomic bool owned;          /* a live thread charges this stripe (the shared one: always) */
    _Atomic uint64_t samples;
    _Atomic(struct counters *) chunks[]; /* stack_capacity / STRIPE_CHUNK of them, then as many
                                            chunks of struct lifetimes (mapped on a first free) */
};

static _Atomic(struct libleak_stripe *) stripes;
static struct libleak_stripe *shared_stripe;
static size_t stripe_chunk_count;
static pthread_key_t stripe_key;
static bool stripe_key_made;

static size_t stripe_bytes(void)
{
    return sizeof(struct libleak_stripe) + 2 * stripe_chunk_count * sizeof(_Atomic(struct counters *));
}

/* A fresh stripe, owned by the caller and already on the list. */
static struct libleak_stripe *new_stripe(void)
{
    struct libleak_stripe *stripe = libleak_map(stripe_bytes());
    if (!stripe)
        return NULL;
    atomic_store_explicit(&stripe->owned, true, memory_order_relaxed);
    struct libleak_stripe *head = atomic_load_explicit(&stripes, memory_order_relaxed);
    do
        stripe->next = head;
    while (!atomic_compare_exchange_weak_explicit(&stripes, &head, stripe, memory_order_release,
                                                  memory_order_relaxed));
    return stripe;
}

/* At thread exit (a pthread key's destructor): hand the stripe back for the next thread to
   continue. Whatever this thread still frees afterwards goes to the shared stripe. */
static void release_stripe(void *value)
{
    struct libleak_stripe *stripe = value;
    libleak_thread.stripe = NULL;
    libleak_thread.stripe_released = true;
    /* Release: the next owner's acquire sees every add this thread made. */
    atomic_store_explicit(&stripe->owned, false, memory_order_release);
}

static void make_stripe_key(void)
{
    stripe_key_made = pthread_key_create(&stripe_key, release_stripe) == 0;
}

/* This thread's stripe: an abandoned one if there is any (an exited thread's), else a new one;
   the shared stripe once the thread has handed its own back. */
static struct libleak_stripe *adopt_stripe(void)
{
    static pthread_once_t key_once = PTHREAD_ONCE_INIT;
    if (libleak_thread.stripe_released || !shared_stripe)
        return shared_stripe;
    libleak_enter(); /* pthread_setspecific may allocate */
    pthread_once(&key_once, make_stripe_key);
    struct libleak_stripe *stripe = atomic_load_explicit(&stripes, memory_order_acquire);
    for (; stripe; stripe = stripe->next) {
        bool owned = false;
        if (!atomic_load_explicit(&stripe->owned, memory_order_relaxed) &&
            atomic_compare_exchange_strong_explicit(&stripe->owned, &owned, true, memory_order_acquire,
                                                    memory_order_relaxed))
            break;
    }
    if (!stripe)
        stripe = new_stripe();
    /* Without the key (none left) the stripe is never handed back: kept, not lost. */
    if (stripe && stripe_key_made)
        pthread_setspecific(stripe_key, stripe);
    libleak_leave();
    libleak_thread.stripe = stripe;
    return stripe ? stripe : shared_stripe;
}

/* The chunk in `slot` of STRIPE_CHUNK elements of `element_bytes`, mapped on first use. */
static void *stripe_chunk(_Atomic(struct counters *) *slot, size_t element_bytes)
{
    void *chunk = atomic_load_explicit(slot, memory_order_acquire);
    if (!chunk) {
        void *fresh = libleak_map(STRIPE_CHUNK * element_bytes);
        if (!fresh)
            return NULL;
        /* Release: a summing thread that sees the chunk sees it zeroed. */
        if (atomic_compare_exchange_strong_explicit(slot, (struct counters **)&chunk, fresh,
                                                    memory_order_release, memory_order_acquire))
            chunk = fresh;
        else
            libleak_unmap(fresh, STRIPE_CHUNK * element_bytes);
    }
    return chunk;
}

/* The counters of the stack numbered `ordinal` in `stripe`, mapped on first use. */
static struct counters *stripe_counters(struct libleak_stripe *stripe, uint32_t ordinal)
{
    struct counters *chunk = stripe_chunk(&stripe->chunks[ordinal >> STRIPE_CHUNK_BITS], sizeof *chunk);
    return chunk ? &chunk[ordinal & (STRIPE_CHUNK - 1)] : NULL;
}

/* The same for its lifetime counters. */
static _Atomic(struct counters *) *lifetimes_slot(struct libleak_stripe *stripe, uint32_t ordinal)
{
    return &stripe->chunks[stripe_chunk_count + (ordinal >> STRIPE_CHUNK_BITS)];
}

static struct lifetimes *stripe_lifetimes(struct libleak_stripe *stripe, uint32_t ordinal)
{
    struct lifetimes *chunk = stripe_chunk(lifetimes_slot(stripe, ordinal), sizeof *chunk);
    return chunk ? &chunk[ordinal & (STRIPE_CHUNK - 1)] : NULL;
}

/* Only the owner writes its stripe: a load and a store, no bus lock. */
static inline void add_own(_Atomic uint64_t *counter, uint64_t amount)
{
    atomic_store_explicit(counter, atomic_load_explicit(counter, memory_order_relaxed) + amount,
                          memory_order_relaxed);
}

/* The shared stripe's counters: atomic adds, any thread. */
static void charge_shared(struct counters *counters, struct libleak_weight weight, bool allocation)
{
    atomic_fetch_add_explicit(allocation ? &counters->alloc_objects : &counters->free_objects, weight.objects,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(allocation ? &counters->alloc_bytes : &counters->free_bytes, weight.bytes,
                              memory_order_relaxed);
    if (allocation)
        atomic_fetch_add_explicit(&shared_stripe->samples, 1, memory_order_relaxed);
}

/* The first charge of a thread or of a stack on this thread, and charges after thread exit. */
__attribute__((noinline)) static void charge_slow(uint32_t ordinal, struct libleak_weight weight,
                                                  bool allocation)
{
    struct libleak_stripe *stripe = libleak_thread.stripe;
    /* A thread gets a stripe of its own (12 KiB and more) only once it has charged a few
       hundred times: the many short-lived threads of some programs share one, with atomics. */
    if (!stripe)
        stripe = ++libleak_thread.shared_charges < STRIPE_AFTER ? shared_stripe : adopt_stripe();
    struct counters *counters = stripe ? stripe_counters(stripe, ordinal) : NULL;
    if (!counters && stripe != shared_stripe && shared_stripe)
        counters = stripe_counters(stripe = shared_stripe, ordinal);
    if (!counters)
        return; /* out of memory for even 8 KiB: the charge is lost */
    if (stripe == shared_stripe) {
        charge_shared(counters, weight, allocation);
        return;
    }
    add_own(allocation ? &counters->alloc_objects : &counters->free_objects, weight.objects);
    add_own(allocation ? &counters->alloc_bytes : &counters->free_bytes, weight.bytes);
    if (allocation)
        add_own(&stripe->samples, 1);
}

void libleak_stacks_charge(const struct libleak_stack *stack, struct libleak_weight weight, bool allocation)
{
    uint32_t ordinal = stack->ordinal;
    struct libleak_stripe *stripe = libleak_thread.stripe;
    /* The owner reads its own chunk pointer: relaxed is enough. */
    struct counters *chunk =
            stripe ? atomic_load_explicit(&stripe->chunks[ordinal >> STRIPE_CHUNK_BITS], memory_order_relaxed)
                   : NULL;
    if (__builtin_expect(!chunk, 0)) {
        charge_slow(ordinal, weight, allocation);
        return;
    }
    struct counters *counters = &chunk[ordinal & (STRIPE_CHUNK - 1)];
    if (allocation) {
        add_own(&counters->alloc_objects, weight.objects);
        add_own(&counters->alloc_bytes, weight.bytes);
        add_own(&stripe->samples, 1);
    } else {
        add_own(&counters->free_objects, weight.objects);
        add_own(&counters->free_bytes, weight.bytes);
    }
}

void libleak_stacks_totals(const struct libleak_stack *stack, struct libleak_stack_totals *totals)
{
    *totals = (struct libleak_stack_totals){0};
    for (struct libleak_stripe *stripe = atomic_load_explicit(&stripes, memory_order_acquire); stripe;
         stripe = stripe->next) {
        struct counters *chunk = atomic_load_explicit(&stripe->chunks[stack->ordinal >> STRIPE_CHUNK_BITS],
                                                      memory_order_acquire);
        if (!chunk)
            continue;
        struct counters *counters = &chunk[stack->ordinal & (STRIPE_CHUNK - 1)];
        totals->alloc_objects += atomic_load_explicit(&counters->alloc_objects, memory_order_relaxed);
        totals->alloc_bytes += atomic_load_explicit(&counters->alloc_bytes, memory_order_relaxed);
        totals->free_objects += atomic_load_explicit(&counters->free_objects, memory_order_relaxed);
        totals->free_bytes += atomic_load_explicit(&counters->free_bytes, memory_order_relaxed);
    }
}

void libleak_stacks_lifetimes(const struct libleak_stack *stack, struct libleak_stack_lifetimes *lifetimes)
{
    memset(lifetimes, 0, sizeof *lifetimes);
    for (struct libleak_stripe *stripe = atomic_load_explicit(&stripes, memory_order_acquire); stripe;
         stripe = stripe->next) {
        struct lifetimes *chunk =
                (struct lifetimes *)atomic_load_explicit(lifetimes_slot(stripe, stack->ordinal), memory_order_acquire);
        if (!chunk)
            continue;
        struct lifetimes *counters = &chunk[stack->ordinal & (STRIPE_CHUNK - 1)];
        for (unsigned i = 0; i < LIBLEAK_LIFETIME_BUCKETS; i++) {
            lifetimes->objects[i] += atomic_load_explicit(&counters->objects[i], memory_order_relaxed);
            lifetimes->bytes[i] += atomic_load_explicit(&counters->bytes[i], memory_order_relaxed);
        }
    }
}

uint64_t libleak_stacks_samples(void)
{
    uint64_t total = 0;
    for (struct libleak_stripe *stripe = atomic_load_explicit(&stripes, memory_order_acquire); stripe;
         stripe = stripe->next)
        total += atomic_load_explicit(&stripe->samples, memory_order_relaxed);
    return total;
}

bool libleak_stacks_init(uint64_t max_stacks)
{
    uint64_t slot_count = 1024;
    while (slot_count < max_stacks * 2)
        slot_count <<= 1;
    if (slot_count >> SLOTS_PER_PAGE_BITS > MAX_SLOT_PAGES)
        return false;
    slots = libleak_map(slot_count * sizeof *slots);
    if (!slots)
        return false;
    slot_mask = slot_count - 1;
    stack_capacity = max_stacks;
    stripe_chunk_count = (size_t)((max_stacks + STRIPE_CHUNK - 1) / STRIPE_CHUNK);
    atomic_store(&arena_used, 1);
    /* The shared stripe takes atomic adds: from threads past their exit, or short of memory. */
    shared_stripe = new_stripe();
    return shared_stripe != NULL;
}

/* The chunk holding index, mapped on first use (by whichever thread gets there first). */
static char *chunk_for(uint32_t index)
{
    _Atomic(char *) *chunk = &chunks[index >> CHUNK_BITS];
    char *mapped = atomic_load_explicit(chunk, memory_order_acquire);
    if (mapped)
        return mapped;
    char *fresh = libleak_map(CHUNK_BYTES);
    if (!fresh)
        return NULL;
    if (!atomic_compare_exchange_strong(chunk, &mapped, fresh)) {
        libleak_unmap(fresh, CHUNK_BYTES);
        return mapped;
    }
    return fresh;
}

static uint64_t hash_frames(const uintptr_t *frames, int depth)
{
    uint64_t hash = LIBLEAK_FNV_OFFSET_BASIS ^ (uint64_t)depth;
    for (int i = 0; i < depth; i++) {
        hash ^= frames[i];
        hash *= LIBLEAK_FNV_PRIME;
        hash ^= hash >> 29;
    }
    return hash ? hash : 1;
}

struct libleak_stack *libleak_stacks_get(uint32_t index)
{
    char *chunk = atomic_load_explicit(&chunks[index >> CHUNK_BITS], memory_order_acquire);
    return (struct libleak_stack *)(chunk + (size_t)(index & CHUNK_MASK) * RECORD_ALIGN);
}

void libleak_stacks_charge_index(uint32_t index, struct libleak_weight weight, bool allocation)
{
    libleak_stacks_charge(libleak_stacks_get(index), weight, allocation);
}

void libleak_stacks_charge_reentrant(uint32_t index, struct libleak_weight weight, bool allocation)
{
    struct counters *counters = shared_stripe ? stripe_counters(shared_stripe, libleak_stacks_get(index)->ordinal)
                                              : NULL;
    if (counters) /* else out of memory for even 8 KiB: the charge is lost */
        charge_shared(counters, weight, allocation);
}

/* The lifetime half of a free's charge: this thread's stripe when it has one, else (and from a
   signal handler inside libleak) the shared stripe, with atomics. */
static void charge_lifetime(uint32_t ordinal, struct libleak_weight weight, unsigned bucket, bool reentrant)
{
    struct libleak_stripe *stripe = reentrant ? NULL : libleak_thread.stripe;
    /* The owner reads its own chunk pointer: relaxed is enough (exact mode comes here on every free). */
    struct lifetimes *chunk =
            stripe ? (struct lifetimes *)atomic_load_explicit(lifetimes_slot(stripe, ordinal), memory_order_relaxed)
                   : NULL;
    if (__builtin_expect(chunk != NULL, 1)) {
        struct lifetimes *counters = &chunk[ordinal & (STRIPE_CHUNK - 1)];
        add_own(&counters->objects[bucket], weight.objects);
        add_own(&counters->bytes[bucket], weight.bytes);
        return;
    }
    struct lifetimes *counters = stripe ? stripe_lifetimes(stripe, ordinal) : NULL;
    if (!counters && (stripe = shared_stripe))
        counters = stripe_lifetimes(stripe, ordinal);
    if (!counters)
        return; /* out of memory: the lifetime is lost, the free itself was counted */
    if (stripe == shared_stripe) {
        atomic_fetch_add_explicit(&counters->objects[bucket], weight.objects, memory_order_relaxed);
        atomic_fetch_add_explicit(&counters->bytes[bucket], weight.bytes, memory_order_relaxed);
    } else {
        add_own(&counters->objects[bucket], weight.objects);
        add_own(&counters->bytes[bucket], weight.bytes);
    }
}

void libleak_stacks_charge_lifetime(uint32_t index, struct libleak_weight weight, uint64_t lifetime, bool reentrant)
{
    charge_lifetime(libleak_stacks_get(index)->ordinal, weight, libleak_lifetime_bucket(lifetime), reentrant);
}

static uint32_t new_record(const uintptr_t *frames, int depth, uint32_t thread_name, uint64_t hash)
{
    uint64_t size = (sizeof(struct libleak_stack) + (uint64_t)depth * sizeof(uintptr_t) + RECORD_ALIGN - 1) &
                    ~(uint64_t)(RECORD_ALIGN - 1);
    /* A record that loses the race to publish keeps its ordinal unused: rare and bounded. */
    if (atomic_load_explicit(&next_ordinal, memory_order_relaxed) >= stack_capacity)
        return 0;
    uint32_t ordinal = atomic_fetch_add_explicit(&next_ordinal, 1, memory_order_relaxed);
    if (ordinal >= stack_capacity)
        return 0;
    uint64_t records = size / RECORD_ALIGN;
    uint64_t first = atomic_load_explicit(&arena_used, memory_order_relaxed), start;
    do { /* a record never straddles two chunks */
        start = first;
        if ((start & CHUNK_MASK) + records > CHUNK_RECORDS)
            start = (start | CHUNK_MASK) + 1;
        if (start + records > (uint64_t)MAX_CHUNKS * CHUNK_RECORDS)
            return 0;
    } while (!atomic_compare_exchange_weak_explicit(&arena_used, &first, start + records,
                                                    memory_order_relaxed, memory_order_relaxed));
    char *chunk = chunk_for((uint32_t)start);
    if (!chunk)
        return 0;
    struct libleak_stack *stack = (struct libleak_stack *)(chunk + (start & CHUNK_MASK) * RECORD_ALIGN);
    stack->hash = hash;
    stack->depth = (uint32_t)depth;
    stack->ordinal = ordinal;
    stack->thread_name = thread_name;
    memcpy(stack->frames, frames, (size_t)depth * sizeof *frames);
    return (uint32_t)start;
}

static bool same_stack(const struct libleak_stack *stack, uint64_t hash, const uintptr_t *frames, int depth,
                       uint32_t thread_name)
{
    return stack->hash == hash && stack->depth == (uint32_t)depth && stack->thread_name == thread_name &&
           memcmp(stack->frames, frames, (size_t)depth * sizeof *frames) == 0;
}

uint32_t libleak_stacks_intern(const uintptr_t *frames, int depth, uint32_t thread_name)
{
    if (!slots)
        return 0;
    uint64_t hash = hash_frames(frames, depth) ^ libleak_hash_mix(thread_name);
    hash = hash ? hash : 1;
    uint32_t fresh = 0; /* a record we built and may lose to another thread's identical one */
    uint64_t position = hash & slot_mask;
    for (int probe = 0; probe < MAX_PROBES; probe++, position = (position + 1) & slot_mask) {
        uint32_t index = atomic_load_explicit(&slots[position], memory_order_acquire);
        if (index == 0) {
            if (!fresh && !(fresh = new_record(frames, depth, thread_name, hash)))
                return 0;
            /* Release: a reader that sees the index sees the whole record. */
            if (atomic_compare_exchange_strong_explicit(&slots[position], &index, fresh, memory_order_release,
                                                        memory_order_acquire)) {
                atomic_fetch_add_explicit(&stack_count, 1, memory_order_relaxed);
                uint64_t page = position >> SLOTS_PER_PAGE_BITS;
                atomic_fetch_or_explicit(&used_slot_pages[page / 64], (uint64_t)1 << (page % 64),
                                         memory_order_release);
                return fresh;
            }
        }
        if (same_stack(libleak_stacks_get(index), hash, frames, depth, thread_name))
            return index; /* a lost `fresh` stays in the arena, unused: rare and bounded */
    }
    return 0;
}

void libleak_stacks_for_each(void (*visit)(struct libleak_stack *stack, void *context), void *context)
{
    if (!slots)
        return;
    for (uint64_t position = 0; position <= slot_mask; position++) {
        uint64_t page = position >> SLOTS_PER_PAGE_BITS;
        if (!(atomic_load_explicit(&used_slot_pages[page / 64], memory_order_acquire) & ((uint64_t)1 << (page % 64)))) {
            position |= ((uint64_t)1 << SLOTS_PER_PAGE_BITS) - 1; /* the next page */
            continue;
        }
        uint32_t index = atomic_load_explicit(&slots[position], memory_order_acquire);
        if (index)
            visit(libleak_stacks_get(index), context);
    }
}

uint64_t libleak_stacks_count(void)
{
    return atomic_load(&stack_count);
}

uint64_t libleak_stacks_capacity(void)
{
    return stack_capacity;
}
