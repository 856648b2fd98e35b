#include "live.h"

#include <time.h>

#include "memory.h"

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

/* Size and stack share one word: 40 bits of size (1 TiB) and 24 of stack index. */
#define SIZE_BITS 40
#define SIZE_MASK ((1ULL << SIZE_BITS) - 1)

#define SHARD_BITS             4
#define SHARDS                 (1u << SHARD_BITS)
#define GENERATIONS            24
#define FIRST_GENERATION_SLOTS 1024
#define MAX_PROBES             64

struct entry {
    _Atomic uintptr_t key;
    _Atomic uint64_t value; /* 0 until the inserting thread has written it */
};

/* The coarse clock is enough for whole seconds and costs a few nanoseconds (no vDSO fence). */
static int64_t clock_origin;

static int64_t monotonic_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return (int64_t)now.tv_sec;
}

__attribute__((constructor(101))) static void start_clock(void)
{
    clock_origin = monotonic_seconds();
}

uint32_t libleak_live_now_seconds(void)
{
    int64_t elapsed = monotonic_seconds() - clock_origin;
    return elapsed > 0 ? (uint32_t)elapsed : 0;
}

struct generation {
    uint64_t mask;
    _Atomic uint64_t live;
    struct entry entries[];
};

struct shard {
    _Atomic(struct generation *) generations[GENERATIONS];
    _Atomic uint32_t count; /* generations published */
} __attribute__((aligned(64)));

static struct shard shards[SHARDS];

/* Spreads addresses (mostly alignment zeros at the bottom) over shards and slots. */
static uint64_t address_hash(const void *address)
{
    uint64_t x = (uint64_t)(uintptr_t)address;
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 29;
    return x;
}

/* Each entry's birth lives in an array after the entries, not in the entry: 4 bytes a slot
   instead of the 8 that padding a 16-byte entry to 24 would cost. Written before the entry's
   value (release), read after it (acquire). */
static size_t generation_bytes(uint64_t slots)
{
    return sizeof(struct generation) + slots * (sizeof(struct entry) + sizeof(_Atomic uint32_t));
}

static _Atomic uint32_t *birth_of(struct generation *generation, const struct entry *entry)
{
    _Atomic uint32_t *births = (_Atomic uint32_t *)&generation->entries[generation->mask + 1];
    return &births[entry - generation->entries];
}

/* Publishes generation `number` of the shard unless another thread already did. */
static struct generation *add_generation(struct shard *shard, uint32_t number)
{
    if (number >= GENERATIONS)
        return NULL;
    uint64_t slots = (uint64_t)FIRST_GENERATION_SLOTS << number;
    struct generation *fresh = libleak_map(generation_bytes(slots));
    if (!fresh)
        return NULL;
    fresh->mask = slots - 1;
    struct generation *expected = NULL;
    if (!atomic_compare_exchange_strong(&shard->generations[number], &expected, fresh)) {
        libleak_unmap(fresh, generation_bytes(slots));
        fresh = expected;
    }
    uint32_t count = number;
    atomic_compare_exchange_strong(&shard->count, &count, number + 1);
    return fresh;
}

static bool insert_into(struct generation *generation, uint64_t hash, uintptr_t key, uint64_t value,
                        uint32_t birth)
{
    uint64_t position = hash & generation->mask;
    for (int probe = 0; probe < MAX_PROBES; probe++, position = (position + 1) & generation->mask) {
        struct entry *entry = &generation->entries[position];
        uintptr_t seen = atomic_load_explicit(&entry->key, memory_order_relaxed);
        while (seen == KEY_EMPTY || seen == KEY_TOMBSTONE) {
            if (atomic_compare_exchange_weak_explicit(&entry->key, &seen, key, memory_order_acq_rel,
                                                      memory_order_relaxed)) {
                atomic_store_explicit(birth_of(generation, entry), birth, memory_order_relaxed);
                atomic_store_explicit(&entry->value, value, memory_order_release);
                atomic_fetch_add_explicit(&generation->live, 1, memory_order_relaxed);
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
    uint64_t value = ((uint64_t)block.stack << SIZE_BITS) | (block.size > SIZE_MASK ? SIZE_MASK : block.size);
    uint64_t bucket = libleak_live_filter_bucket(address);

    /* Raise the filter first: the address is not handed to the program before we return, so
	   no free of it can race with this insert. */
    if (!filter_saturated)
        atomic_fetch_add_explicit(&libleak_live_filter[bucket], 1, memory_order_relaxed);
    for (;;) {
        uint32_t count = atomic_load_explicit(&shard->count, memory_order_acquire);
        struct generation *newest = count ? atomic_load(&shard->generations[count - 1]) : NULL;
        if (newest && atomic_load_explicit(&newest->live, memory_order_relaxed) <= newest->mask / 2 &&
            insert_into(newest, hash, (uintptr_t)address, value, block.birth))
            break;
        /* Half full, or a probe run too long: a larger generation takes new blocks. */
        if (!add_generation(shard, count)) {
            if (!filter_saturated)
                atomic_fetch_sub_explicit(&libleak_live_filter[bucket], 1, memory_order_relaxed);
            return false;
        }
    }
    return true;
}

bool libleak_live_remove(const void *address, struct libleak_live_block *block)
{
    uint64_t hash = address_hash(address);
    struct shard *shard = &shards[hash >> (64 - SHARD_BITS)];
    uint32_t count = atomic_load_explicit(&shard->count, memory_order_acquire);
    for (uint32_t g = count; g-- > 0;) {
        struct generation *generation = atomic_load(&shard->generations[g]);
        uint64_t position = hash & generation->mask;
        for (int probe = 0; probe < MAX_PROBES; probe++, position = (position + 1) & generation->mask) {
            struct entry *entry = &generation->entries[position];
            uintptr_t key = atomic_load_explicit(&entry->key, memory_order_acquire);
            if (key == KEY_EMPTY)
                break;
            if (key != (uintptr_t)address)
                continue;
            uint64_t value = atomic_load_explicit(&entry->value, memory_order_acquire);
            /* before the tombstone: after it, an insert may reuse the entry */
            block->birth = atomic_load_explicit(birth_of(generation, entry), memory_order_relaxed);
            atomic_store_explicit(&entry->value, 0, memory_order_relaxed);
            atomic_store_explicit(&entry->key, KEY_TOMBSTONE, memory_order_release);
            atomic_fetch_sub_explicit(&generation->live, 1, memory_order_relaxed);
            if (!filter_saturated)
                atomic_fetch_sub_explicit(&libleak_live_filter[libleak_live_filter_bucket(address)], 1,
                                          memory_order_relaxed);
            block->stack = (uint32_t)(value >> SIZE_BITS);
            block->size = value & SIZE_MASK;
            return true;
        }
    }
    return false;
}

void libleak_live_for_each(void (*visit)(uintptr_t address, struct libleak_live_block block, void *context),
                           void *context)
{
    for (uint32_t s = 0; s < SHARDS; s++) {
        uint32_t count = atomic_load_explicit(&shards[s].count, memory_order_acquire);
        for (uint32_t g = 0; g < count; g++) {
            struct generation *generation = atomic_load(&shards[s].generations[g]);
            for (uint64_t i = 0; i <= generation->mask; i++) {
                struct entry *entry = &generation->entries[i];
                uintptr_t key = atomic_load_explicit(&entry->key, memory_order_acquire);
                uint64_t value = atomic_load_explicit(&entry->value, memory_order_acquire);
                if (key <= KEY_TOMBSTONE || value == 0)
                    continue;
                struct libleak_live_block block = {
                        (uint32_t)(value >> SIZE_BITS), value & SIZE_MASK,
                        atomic_load_explicit(birth_of(generation, entry), memory_order_relaxed)};
                visit(key, block, context);
            }
        }
    }
}

uint64_t libleak_live_count(void)
{
    uint64_t total = 0;
    for (uint32_t s = 0; s < SHARDS; s++) {
        uint32_t count = atomic_load_explicit(&shards[s].count, memory_order_acquire);
        for (uint32_t g = 0; g < count; g++)
            total +=
                    atomic_load_explicit(&atomic_load(&shards[s].generations[g])->live, memory_order_relaxed);
    }
    return total;
}
