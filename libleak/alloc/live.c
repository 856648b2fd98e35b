/*
 * live — the live-block filter and table; see live.h for the design and its guarantees.
 *
 * Its table is not id_map.h's: every thread's malloc and free write it at once, lock-free,
 * with tombstones and generations (live.h); id_map is the dumper's single-threaded table.
 */
#include "alloc/live.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/hash.h"
#include "alloc/memory.h"
#include "alloc/thread.h"

_Atomic uint32_t libleak_live_filter[1u << LIBLEAK_LIVE_FILTER_BITS];
static bool filter_saturated;

void libleak_live_filter_saturate(void)
{
    for (size_t i = 0; i < (1u << LIBLEAK_LIVE_FILTER_BITS); i++)
        atomic_store_explicit(&libleak_live_filter[i], 1, memory_order_relaxed);
    filter_saturated = true;
}

void libleak_live_filter_pin(const void *address)
{
    atomic_fetch_add_explicit(&libleak_live_filter[libleak_live_filter_bucket(address)], 1,
                              memory_order_relaxed);
}

/* An entry's key is the block address, or one of these. Real blocks are never at 0 or 1. */
#define KEY_EMPTY     0
#define KEY_TOMBSTONE 1

/* `value` holds the stack index and the size in 40 bits. A size of 2^40 - 1 or more is kept
   whole in a small table of its own (huge_blocks): every such block takes a terabyte of address
   space, so no process has more than a few hundred at once. The births are in units of 1024
   ns (a lifetime is measured from them), 48 bits (9.1 years): an array of their own after the
   entries, three 16-bit words a slot (one cache line to touch), 22 bytes a slot rather than
   24. */
#define SIZE_LOW_BITS 40
#define SIZE_LOW_MASK ((1ULL << SIZE_LOW_BITS) - 1)
#define SIZE_HUGE     SIZE_LOW_MASK
#define HUGE_BLOCKS   256

#define SHARD_BITS             4
#define SHARDS                 (1u << SHARD_BITS)
#define GENERATION_SLOTS       32
#define FIRST_GENERATION_SLOTS 1024
#define MAX_PROBES             64
/* More generations than this still holding blocks: the next one is made twice as large as the
   newest (up to GROWTH_LIMIT times what the live blocks need), so that blocks that never die,
   one in each generation, do not add up to a long walk as fast. Random lifetimes alone keep
   about 8 generations in the walk (the last block of a generation outlives it by a log factor). */
#define MANY_GENERATIONS 12
#define GROWTH_LIMIT     16

struct entry {
    _Atomic uintptr_t key;
    _Atomic uint64_t value; /* 0 until the inserting thread has written it */
};

static struct {
    _Atomic uintptr_t address; /* 0: free */
    _Atomic uint64_t size;
} huge_blocks[HUGE_BLOCKS];

/* Keeps a huge block's size; false when the table is full (the size is then cut). */
static bool remember_huge(uintptr_t address, uint64_t size)
{
    for (int i = 0; i < HUGE_BLOCKS; i++) {
        uintptr_t expected = 0;
        if (atomic_load_explicit(&huge_blocks[i].address, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_strong(&huge_blocks[i].address, &expected, address)) {
            atomic_store(&huge_blocks[i].size, size);
            return true;
        }
    }
    return false;
}

/* A huge block's size (and forgets it when `forget`); SIZE_HUGE when it is not in the table. */
static uint64_t recall_huge(uintptr_t address, bool forget)
{
    for (int i = 0; i < HUGE_BLOCKS; i++) {
        if (atomic_load(&huge_blocks[i].address) != address)
            continue;
        uint64_t size = atomic_load(&huge_blocks[i].size);
        if (forget)
            atomic_store(&huge_blocks[i].address, 0);
        return size;
    }
    return SIZE_HUGE;
}

/* A generation's life: ACTIVE (in the lookups' walk) -> RETIRING (checking that it is empty)
   -> IDLE (out of the walk, waiting) -> CLAIMED (being wiped for reuse) -> ACTIVE. An ACTIVE
   generation that is not the newest may be SWEEPING for a while (its needless tombstones
   cleared, no insert meanwhile) and then ACTIVE again, to take new blocks once more. */
enum { ACTIVE, RETIRING, IDLE, CLAIMED, SWEEPING };

/* `live` also counts the inserters at work in the generation, in its high bits: a sweep waits
   for them to be done (one read-modify-write at the start of an insert, one at its end). */
#define IN_FLIGHT_SHIFT 40
#define IN_FLIGHT_ONE   (1ULL << IN_FLIGHT_SHIFT)
#define LIVE_MASK       (IN_FLIGHT_ONE - 1)

struct generation {
    uint64_t mask;
    uint64_t full;            /* filled beyond this: the next generation takes over */
    _Atomic uint16_t *births; /* after the entries: the birth of entries[i] is births[3i..3i+2] */
    uint32_t index;           /* its slot in the shard, for good */
    _Atomic uint64_t live;    /* entries, plus inserters between their reservation and their entry */
    /* Slots taken since (re)start, entries plus tombstones. Counted without a bus lock (a lost
       count only delays the next generation; MAX_PROBES still bounds every probe run). */
    _Atomic uint64_t filled;
    _Atomic int state;
    struct entry entries[];
};

struct shard {
    _Atomic(struct generation *) newest;       /* takes the new blocks */
    _Atomic(struct generation *) previous;     /* the newest before it: most other blocks are there */
    _Atomic(struct libleak_thread *) switcher; /* the thread starting the next generation */
    _Atomic uint32_t active;                   /* bit i: slots[i] is ACTIVE */
    /* Once set, a slot keeps its generation for good (it is reused in place), so a lookup
       that read a slot long ago still reads mapped memory. */
    _Atomic(struct generation *) slots[GENERATION_SLOTS];
} __attribute__((aligned(64)));

static struct shard shards[SHARDS];

static int64_t start_seconds, start_nanos;

static int64_t monotonic_nanos(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

_Atomic double libleak_live_nanos_per_tick;
static uint64_t start_ticks;

uint64_t libleak_live_read_nanos(struct libleak_thread *self, uint64_t ticks)
{
    int64_t nanos = monotonic_nanos() - start_nanos;
    uint64_t result = nanos > 0 ? (uint64_t)nanos : 0;
    self->nanos_read_at = ticks;
    self->nanos_at_read = result;
    /* The rate of the counter, over all the time since the start: refined at every read. */
    if (ticks > start_ticks && result > 1000000)
        atomic_store_explicit(&libleak_live_nanos_per_tick, (double)result / (double)(ticks - start_ticks),
                              memory_order_relaxed);
    return result;
}

static int64_t coarse_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return (int64_t)now.tv_sec;
}

/* A fork child has only the forking thread: a generation switch another thread of the parent
   was making will never finish, so no thread of the child may wait for it. */
static void forget_switchers(void)
{
    for (uint32_t s = 0; s < SHARDS; s++)
        atomic_store(&shards[s].switcher, NULL);
}

/* Early, so that ages count from the library's start (a constructor of live.c's own: no lock
   of ours; pthread_atfork's allocation is served like any other before the hooks are set up). */
__attribute__((constructor(101))) static void remember_start(void)
{
    start_seconds = coarse_seconds();
    start_nanos = monotonic_nanos();
#if defined(__x86_64__)
    start_ticks = __builtin_ia32_rdtsc();
#endif
    pthread_atfork(NULL, NULL, forget_switchers);
}

uint32_t libleak_live_read_clock(struct libleak_thread *self)
{
    int64_t seconds = coarse_seconds() - start_seconds;
    uint32_t result = seconds < 0 ? 0 : seconds > UINT32_MAX ? UINT32_MAX : (uint32_t)seconds;
    self->clock_seconds = result;
    return result;
}

/* Spreads addresses (mostly alignment zeros at the bottom) over shards and slots. */
static uint64_t address_hash(const void *address)
{
    return libleak_hash_mix((uint64_t)(uintptr_t)address);
}

static size_t generation_bytes(uint64_t slots)
{
    return sizeof(struct generation) + slots * (sizeof(struct entry) + 3 * sizeof(uint16_t));
}

static void store_birth(struct generation *generation, uint64_t position, uint64_t birth_nanos)
{
    uint64_t micros = birth_nanos >> 10;
    for (int i = 0; i < 3; i++)
        atomic_store_explicit(&generation->births[3 * position + i], (uint16_t)(micros >> (16 * i)),
                              memory_order_relaxed);
}

static uint64_t load_birth(struct generation *generation, uint64_t position)
{
    uint64_t micros = 0;
    for (int i = 0; i < 3; i++)
        micros |= (uint64_t)atomic_load_explicit(&generation->births[3 * position + i], memory_order_relaxed)
                  << (16 * i);
    return micros << 10;
}

/* Takes `generation` out of the walk if it holds nothing and is not the newest. Inserters
   reserve (live + 1) before they check the state, and we set the state before we check live
   (both sequentially consistent), so either we see their reservation or they see RETIRING
   and go elsewhere: an entry is never added to a generation being retired. */
static void try_retire(struct shard *shard, uint32_t index, struct generation *generation)
{
    if (generation == atomic_load(&shard->newest) || atomic_load(&generation->live) != 0)
        return;
    int expected = ACTIVE;
    if (!atomic_compare_exchange_strong(&generation->state, &expected, RETIRING))
        return;
    if (atomic_load(&generation->live) != 0) {
        atomic_store(&generation->state, ACTIVE);
        return;
    }
    atomic_fetch_and(&shard->active, ~(1u << index));
    atomic_store_explicit(&generation->state, IDLE, memory_order_release);
}

/* Lets the thread we wait for run. Not sched_yield: the allocation path makes no system call
   beyond those glibc's malloc makes (a seccomp allow-list kills for anything else), and futex
   is one. A wait of 20 microseconds on a word nobody wakes; through syscall(), which unlike
   the libc wrappers of blocking calls is not a cancellation point. */
static void let_another_thread_run(void)
{
    static int nobody_wakes;
    struct timespec moment = {0, 20000};
    syscall(SYS_futex, &nobody_wakes, FUTEX_WAIT_PRIVATE, 0, &moment, NULL, 0);
}

/* Wipes a claimed generation for reuse: tombstones gone, all slots empty. Relaxed stores: a
   lookup that still walks it (it read the slot before the generation was retired) looks for a
   block that is elsewhere, and only ever compares keys. */
static void wipe(struct generation *generation)
{
    for (uint64_t i = 0; i <= generation->mask; i++) {
        struct entry *entry = &generation->entries[i];
        atomic_store_explicit(&entry->key, KEY_EMPTY, memory_order_relaxed);
        atomic_store_explicit(&entry->value, 0, memory_order_relaxed);
    }
    atomic_store_explicit(&generation->filled, 0, memory_order_relaxed);
}

/* Clears the tombstones of a generation that is not the newest where no live entry's probe
   run crosses them, so that it can take new blocks again with its remaining (long-lived)
   entries in place. No insert runs meanwhile (state SWEEPING, and the inserters already at work
   are waited for); removes and lookups go on: a remove only turns an entry into a tombstone,
   which can only make us clear less. Within a run of non-empty slots, scanning backwards, a
   tombstone at offset o is needed while some live entry after it has its home at or before o.
   Returns false when it could not sweep now. */
static bool sweep(struct generation *generation)
{
    int expected = ACTIVE;
    if (!atomic_compare_exchange_strong(&generation->state, &expected, SWEEPING))
        return false;
    /* Bounded: the inserter at work may be this very thread, under a signal handler. */
    for (int waits = 0; atomic_load(&generation->live) >> IN_FLIGHT_SHIFT; waits++) {
        if (waits >= 1000) {
            atomic_store(&generation->state, ACTIVE);
            return false;
        }
        let_another_thread_run();
    }
    uint64_t mask = generation->mask, size = mask + 1, start = 0, filled = 0;
    struct entry *entries = generation->entries;
    while (start < size && atomic_load_explicit(&entries[start].key, memory_order_acquire) != KEY_EMPTY)
        start++;
    for (uint64_t offset = 1; start < size && offset < size;) {
        if (atomic_load_explicit(&entries[(start + offset) & mask].key, memory_order_acquire) == KEY_EMPTY) {
            offset++;
            continue;
        }
        uint64_t first = offset;
        while (offset < size &&
               atomic_load_explicit(&entries[(start + offset) & mask].key, memory_order_acquire) != KEY_EMPTY)
            offset++;
        uint64_t earliest_home = UINT64_MAX; /* offsets from start, which is empty */
        for (uint64_t o = offset; o-- > first;) {
            _Atomic uintptr_t *key = &entries[(start + o) & mask].key;
            uintptr_t seen = atomic_load_explicit(key, memory_order_acquire);
            if (seen > KEY_TOMBSTONE) {
                uint64_t home = (address_hash((const void *)seen) - start) & mask;
                if (home < earliest_home)
                    earliest_home = home;
                filled++;
            } else if (seen == KEY_TOMBSTONE) {
                if (earliest_home <= o || !atomic_compare_exchange_strong(key, &seen, KEY_EMPTY))
                    filled++;
            }
        }
    }
    if (start < size)
        atomic_store_explicit(&generation->filled, filled, memory_order_relaxed);
    atomic_store_explicit(&generation->state, ACTIVE, memory_order_release);
    return start < size;
}

/* A generation to become the newest: an idle one of at least `slots` (the smallest such),
   else a new one in a free slot, else the largest idle one. Returns its slot index, or -1. */
static int claim_generation(struct shard *shard, uint64_t slots)
{
    int best = -1, largest = -1, free_slot = -1;
    uint64_t best_size = 0, largest_size = 0;
    for (int i = 0; i < GENERATION_SLOTS; i++) {
        struct generation *generation = atomic_load_explicit(&shard->slots[i], memory_order_acquire);
        if (!generation) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        if (atomic_load_explicit(&generation->state, memory_order_relaxed) != IDLE)
            continue;
        uint64_t size = generation->mask + 1;
        if (size >= slots && (best < 0 || size < best_size))
            best = i, best_size = size;
        if (size > largest_size)
            largest = i, largest_size = size;
    }
    if (best < 0 && free_slot >= 0) {
        struct generation *fresh = libleak_map(generation_bytes(slots));
        if (fresh) {
            fresh->mask = slots - 1;
            fresh->full = fresh->mask / 4 * 3; /* three quarters of its slots (live or tombstone) */
            fresh->births = (_Atomic uint16_t *)&fresh->entries[slots];
            fresh->index = (uint32_t)free_slot;
            atomic_store_explicit(&fresh->state, CLAIMED, memory_order_relaxed);
            struct generation *expected = NULL;
            if (atomic_compare_exchange_strong(&shard->slots[free_slot], &expected, fresh))
                return free_slot;
            libleak_unmap(fresh, generation_bytes(slots));
        }
    }
    int chosen = best >= 0 ? best : largest;
    if (chosen < 0)
        return -1;
    struct generation *generation = atomic_load(&shard->slots[chosen]);
    int expected = IDLE;
    if (!atomic_compare_exchange_strong(&generation->state, &expected, CLAIMED))
        return -1; /* another thread took it: the caller looks again */
    wipe(generation);
    return chosen;
}

static bool switch_generation(struct shard *shard, struct generation *seen)
{
    if (atomic_load(&shard->newest) != seen)
        return true;
    uint64_t live = 0;
    uint32_t active = atomic_load(&shard->active), count = 0;
    for (uint32_t i = 0; i < GENERATION_SLOTS; i++) {
        if (!(active & (1u << i)))
            continue;
        struct generation *generation = atomic_load(&shard->slots[i]);
        try_retire(shard, i, generation);
        if (atomic_load(&generation->state) == ACTIVE) {
            live += atomic_load_explicit(&generation->live, memory_order_relaxed) & LIVE_MASK;
            count++;
        }
    }
    /* While blocks are only added (the full generation still holds nearly every block it
       took), slots for half the live blocks: each generation is then about as large as the
       others together, and the table holds at most 2.3 slots per live block (about 47 bytes).
       Sized for twice the live blocks, as under churn, each generation was four times the last
       and the table held up to 5.3 slots per live block (106 bytes) right after a switch:
       address space a program under `ulimit -v` needs (lib_errno_rlimit) and resident memory
       (bench/hold). Under churn, twice the live blocks: the newest then lasts long enough for
       the older ones to drain and retire (test_tables' long churn). */
    bool growing = seen && (atomic_load_explicit(&seen->live, memory_order_relaxed) & LIVE_MASK) >=
                                   atomic_load_explicit(&seen->filled, memory_order_relaxed) / 8 * 7;
    uint64_t wanted = growing ? live / 2 : 2 * live, slots = FIRST_GENERATION_SLOTS;
    while (slots < wanted)
        slots <<= 1;
    /* An older generation kept alive by a few long-lived blocks takes new blocks again once its
       needless tombstones are cleared: long-lived blocks do not pin a generation each. */
    struct generation *fresh = NULL;
    for (uint32_t i = 0; i < GENERATION_SLOTS && !fresh; i++) {
        if (!(active & (1u << i)))
            continue;
        struct generation *generation = atomic_load(&shard->slots[i]);
        uint64_t size = generation->mask + 1;
        if (generation == seen || atomic_load(&generation->state) != ACTIVE || size < slots ||
            (atomic_load_explicit(&generation->live, memory_order_relaxed) & LIVE_MASK) > size / 4)
            continue;
        if (atomic_load_explicit(&generation->filled, memory_order_relaxed) > size / 4 && !sweep(generation))
            continue;
        if (atomic_load_explicit(&generation->filled, memory_order_relaxed) <= size / 2)
            fresh = generation;
    }
    if (!fresh) {
        if (seen && count > MANY_GENERATIONS && slots <= seen->mask + 1 &&
            seen->mask + 1 < GROWTH_LIMIT * slots)
            slots = 2 * (seen->mask + 1);
        int index = -1;
        for (int attempt = 0; attempt < 4 && index < 0; attempt++)
            index = claim_generation(shard, slots);
        if (index < 0)
            return false;
        fresh = atomic_load(&shard->slots[index]);
        atomic_store(&fresh->state, ACTIVE);
        /* In the walk before it is the newest: no block can go in before lookups can find it. */
        atomic_fetch_or(&shard->active, 1u << index);
    }
    atomic_store(&shard->previous, seen);
    struct generation *expected = seen;
    if (!atomic_compare_exchange_strong(&shard->newest, &expected, fresh))
        try_retire(shard, fresh->index, fresh); /* lost the race: back to idle when empty */
    return true;
}

/* Replaces `seen` as the shard's newest generation (unless another thread already did).
   False when no generation can be had, or when another thread is at it and `seen` can still
   take blocks (`seen` not NULL and `urgent` false): the caller goes on with it. */
static bool start_generation(struct shard *shard, struct generation *seen, bool urgent)
{
    struct libleak_thread *self = &libleak_thread;
    struct libleak_thread *expected_switcher = NULL;
    while (!atomic_compare_exchange_weak(&shard->switcher, &expected_switcher, self)) {
        if (atomic_load(&shard->newest) != seen)
            return true;
        /* A first generation, or a full one: wait for the thread making it, unless that is
           this very thread (interrupted by a signal handler that allocates). */
        if ((seen && !urgent) || expected_switcher == self)
            return false;
        expected_switcher = NULL;
        let_another_thread_run();
    }
    bool started = switch_generation(shard, seen);
    atomic_store(&shard->switcher, NULL);
    return started;
}

static bool insert_into(struct generation *generation, uint64_t hash, uintptr_t key, uint64_t value,
                        uint64_t birth)
{
    uint64_t position = hash & generation->mask;
    for (int probe = 0; probe < MAX_PROBES; probe++, position = (position + 1) & generation->mask) {
        struct entry *entry = &generation->entries[position];
        uintptr_t seen = atomic_load_explicit(&entry->key, memory_order_relaxed);
        while (seen == KEY_EMPTY || seen == KEY_TOMBSTONE) {
            if (atomic_compare_exchange_weak_explicit(&entry->key, &seen, key, memory_order_acq_rel,
                                                      memory_order_relaxed)) {
                if (seen == KEY_EMPTY)
                    atomic_store_explicit(&generation->filled,
                                          atomic_load_explicit(&generation->filled, memory_order_relaxed) + 1,
                                          memory_order_relaxed);
                store_birth(generation, position, birth);
                atomic_store_explicit(&entry->value, value, memory_order_release);
                return true;
            }
        }
    }
    return false;
}

bool libleak_live_insert(const void *address, struct libleak_live_block block)
{
    uint64_t hash = address_hash(address);
    struct shard *shard = &shards[hash >> (64 - SHARD_BITS)];
    uint64_t size =
            block.size < SIZE_HUGE || !remember_huge((uintptr_t)address, block.size) ? block.size : SIZE_HUGE;
    uint64_t value = ((uint64_t)block.stack << SIZE_LOW_BITS) | (size < SIZE_HUGE ? size : SIZE_HUGE);
    uint64_t bucket = libleak_live_filter_bucket(address);

    /* Raise the filter first: the address is not handed to the program before we return, so
       no free of it can race with this insert. */
    if (!filter_saturated)
        atomic_fetch_add_explicit(&libleak_live_filter[bucket], 1, memory_order_relaxed);
    for (int attempt = 0; attempt < 16; attempt++) {
        struct generation *newest = atomic_load_explicit(&shard->newest, memory_order_acquire);
        if (!newest || atomic_load_explicit(&newest->filled, memory_order_relaxed) > newest->full) {
            /* Three quarters of its slots used (live or tombstone): a fresh generation takes new
               blocks, so that tombstones never fill a generation. */
            if (start_generation(shard, newest, false))
                continue;
            if (!newest)
                break;
            /* None to be had: this one still takes blocks while probe runs allow. */
        }
        /* The reservation try_retire and sweep look for: one more entry, one inserter at work. */
        atomic_fetch_add(&newest->live, IN_FLIGHT_ONE + 1);
        if (atomic_load(&newest->state) == ACTIVE &&
            insert_into(newest, hash, (uintptr_t)address, value, block.birth_nanos)) {
            atomic_fetch_sub(&newest->live, IN_FLIGHT_ONE);
            return true;
        }
        atomic_fetch_sub(&newest->live, IN_FLIGHT_ONE + 1);
        if (atomic_load(&newest->state) == ACTIVE && !start_generation(shard, newest, true))
            break; /* probe run too long and no generation to be had */
    }
    if (block.size >= SIZE_HUGE)
        recall_huge((uintptr_t)address, true);
    if (!filter_saturated)
        atomic_fetch_sub_explicit(&libleak_live_filter[bucket], 1, memory_order_relaxed);
    return false;
}

/* What a lookup does with the entry it finds. The birth is read only when asked: births are an
   array apart from the entries, so reading one is another cache line on every free. */
enum lookup { LOOK, REMOVE, REMOVE_WITH_BIRTH };

/* Looks `address` up in one generation, and removes it (filling `block`) as `mode` says.
   Returns the number of slots examined, negated when found. */
__attribute__((always_inline)) static inline int64_t look_up(struct generation *generation, uint64_t hash,
                                                             const void *address,
                                                             struct libleak_live_block *block,
                                                             enum lookup mode)
{
    uint64_t position = hash & generation->mask;
    for (int probe = 0; probe < MAX_PROBES; probe++, position = (position + 1) & generation->mask) {
        struct entry *entry = &generation->entries[position];
        uintptr_t key = atomic_load_explicit(&entry->key, memory_order_acquire);
        if (key == KEY_EMPTY)
            return probe + 1;
        if (key != (uintptr_t)address)
            continue;
        if (mode == LOOK)
            return -(probe + 1);
        uint64_t value = atomic_load_explicit(&entry->value, memory_order_acquire);
        /* Before the tombstone: after it, an insert may reuse the slot. */
        block->birth_nanos = mode == REMOVE_WITH_BIRTH ? load_birth(generation, position) : 0;
        atomic_store_explicit(&entry->value, 0, memory_order_relaxed);
        atomic_store_explicit(&entry->key, KEY_TOMBSTONE, memory_order_release);
        block->stack = (uint32_t)(value >> SIZE_LOW_BITS);
        block->size = value & SIZE_LOW_MASK;
        if (block->size == SIZE_HUGE)
            block->size = recall_huge((uintptr_t)address, true);
        return -(probe + 1);
    }
    return MAX_PROBES;
}

/* The walk of a lookup: the newest generation, then every other one still holding blocks. */
__attribute__((always_inline)) static inline int64_t walk(const void *address,
                                                          struct libleak_live_block *block, enum lookup mode,
                                                          uint32_t *found_index, struct generation **found)
{
    uint64_t hash = address_hash(address);
    struct shard *shard = &shards[hash >> (64 - SHARD_BITS)];
    int64_t cost = 0;
    struct generation *newest = atomic_load_explicit(&shard->newest, memory_order_acquire);
    if (newest) {
        int64_t probes = look_up(newest, hash, address, block, mode);
        if (probes < 0) {
            *found = newest;
            *found_index = GENERATION_SLOTS;
            return probes;
        }
        cost += probes;
    }
    uint32_t active = atomic_load(&shard->active);
    /* Then the previous newest (where the blocks that are not in the newest mostly are), then
       the rest. The previous is only a hint: it is looked up only while its bit is set. */
    struct generation *previous = atomic_load_explicit(&shard->previous, memory_order_acquire);
    if (previous && previous != newest && (active & (1u << previous->index))) {
        int64_t probes = look_up(previous, hash, address, block, mode);
        if (probes < 0) {
            *found = previous;
            *found_index = previous->index;
            return probes - cost;
        }
        cost += probes;
    }
    while (active) {
        uint32_t index = (uint32_t)__builtin_ctz(active);
        active &= active - 1;
        struct generation *generation = atomic_load_explicit(&shard->slots[index], memory_order_acquire);
        if (generation == newest || generation == previous)
            continue;
        int64_t probes = look_up(generation, hash, address, block, mode);
        if (probes < 0) {
            *found = generation;
            *found_index = index;
            return probes - cost;
        }
        cost += probes;
    }
    return cost;
}

static bool remove_block(const void *address, struct libleak_live_block *block, enum lookup mode)
{
    uint32_t index;
    struct generation *generation;
    if (walk(address, block, mode, &index, &generation) >= 0)
        return false;
    if ((atomic_fetch_sub(&generation->live, 1) & LIVE_MASK) == 1 && index < GENERATION_SLOTS) {
        uint64_t hash = address_hash(address);
        try_retire(&shards[hash >> (64 - SHARD_BITS)], index, generation);
    }
    if (!filter_saturated)
        atomic_fetch_sub_explicit(&libleak_live_filter[libleak_live_filter_bucket(address)], 1,
                                  memory_order_relaxed);
    return true;
}

bool libleak_live_remove(const void *address, struct libleak_live_block *block)
{
    return remove_block(address, block, REMOVE_WITH_BIRTH);
}

bool libleak_live_forget(const void *address, struct libleak_live_block *block)
{
    return remove_block(address, block, REMOVE);
}

uint64_t libleak_live_probe_cost(const void *address)
{
    uint32_t index;
    struct generation *generation;
    int64_t cost = walk(address, NULL, LOOK, &index, &generation);
    return (uint64_t)(cost < 0 ? -cost : cost);
}

void libleak_live_for_each(void (*visit)(uintptr_t address, struct libleak_live_block block, void *context),
                           void *context)
{
    for (uint32_t s = 0; s < SHARDS; s++) {
        uint32_t active = atomic_load(&shards[s].active);
        while (active) {
            uint32_t index = (uint32_t)__builtin_ctz(active);
            active &= active - 1;
            struct generation *generation =
                    atomic_load_explicit(&shards[s].slots[index], memory_order_acquire);
            for (uint64_t i = 0; i <= generation->mask; i++) {
                struct entry *entry = &generation->entries[i];
                uintptr_t key = atomic_load_explicit(&entry->key, memory_order_acquire);
                uint64_t value = atomic_load_explicit(&entry->value, memory_order_acquire);
                if (key <= KEY_TOMBSTONE || value == 0)
                    continue;
                struct libleak_live_block block = {
                        .stack = (uint32_t)(value >> SIZE_LOW_BITS),
                        .size = value & SIZE_LOW_MASK,
                };
                block.birth_nanos = load_birth(generation, i);
                if (block.size == SIZE_HUGE)
                    block.size = recall_huge(key, false);
                visit(key, block, context);
            }
        }
    }
}

uint64_t libleak_live_count(void)
{
    uint64_t total = 0;
    for (uint32_t s = 0; s < SHARDS; s++) {
        uint32_t active = atomic_load(&shards[s].active);
        for (uint32_t i = 0; i < GENERATION_SLOTS; i++)
            if (active & (1u << i))
                total += atomic_load_explicit(&atomic_load(&shards[s].slots[i])->live, memory_order_relaxed) &
                         LIVE_MASK;
    }
    return total;
}

uint32_t libleak_live_generations(void)
{
    uint32_t total = 0;
    for (uint32_t s = 0; s < SHARDS; s++)
        total += (uint32_t)__builtin_popcount(atomic_load(&shards[s].active));
    return total;
}
