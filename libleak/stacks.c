#include "stacks.h"

#include <string.h>

#include "config.h"
#include "memory.h"

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
static _Atomic(char *) chunks[MAX_CHUNKS];
static _Atomic uint64_t arena_used; /* in records of RECORD_ALIGN bytes */
static _Atomic uint64_t stack_count;
static uint64_t stack_capacity;

bool libleak_stacks_init(uint64_t max_stacks)
{
    uint64_t slot_count = 1024;
    while (slot_count < max_stacks * 2)
        slot_count <<= 1;
    slots = libleak_map(slot_count * sizeof *slots);
    if (!slots)
        return false;
    slot_mask = slot_count - 1;
    stack_capacity = max_stacks;
    atomic_store(&arena_used, 1);
    return true;
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
    uint64_t hash = 0x84222325CBF29CE4ULL ^ (uint64_t)depth;
    for (int i = 0; i < depth; i++) {
        hash ^= frames[i];
        hash *= 0x100000001B3ULL;
        hash ^= hash >> 29;
    }
    return hash ? hash : 1;
}

struct libleak_stack *libleak_stacks_get(uint32_t index)
{
    char *chunk = atomic_load_explicit(&chunks[index >> CHUNK_BITS], memory_order_acquire);
    return (struct libleak_stack *)(chunk + (size_t)(index & CHUNK_MASK) * RECORD_ALIGN);
}

static uint32_t new_record(const uintptr_t *frames, int depth, uint64_t hash)
{
    uint64_t size = (sizeof(struct libleak_stack) + (uint64_t)depth * sizeof(uintptr_t) + RECORD_ALIGN - 1) &
                    ~(uint64_t)(RECORD_ALIGN - 1);
    if (atomic_load_explicit(&stack_count, memory_order_relaxed) >= stack_capacity)
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
    memcpy(stack->frames, frames, (size_t)depth * sizeof *frames);
    return (uint32_t)start;
}

static bool same_stack(const struct libleak_stack *stack, uint64_t hash, const uintptr_t *frames, int depth)
{
    return stack->hash == hash && stack->depth == (uint32_t)depth &&
           memcmp(stack->frames, frames, (size_t)depth * sizeof *frames) == 0;
}

uint32_t libleak_stacks_intern(const uintptr_t *frames, int depth)
{
    if (!slots)
        return 0;
    uint64_t hash = hash_frames(frames, depth);
    uint32_t fresh = 0; /* a record we built and may lose to another thread's identical one */
    uint64_t position = hash & slot_mask;
    for (int probe = 0; probe < MAX_PROBES; probe++, position = (position + 1) & slot_mask) {
        uint32_t index = atomic_load_explicit(&slots[position], memory_order_acquire);
        if (index == 0) {
            if (!fresh && !(fresh = new_record(frames, depth, hash)))
                return 0;
            /* Release: a reader that sees the index sees the whole record. */
            if (atomic_compare_exchange_strong_explicit(&slots[position], &index, fresh, memory_order_release,
                                                        memory_order_acquire)) {
                atomic_fetch_add_explicit(&stack_count, 1, memory_order_relaxed);
                return fresh;
            }
        }
        if (same_stack(libleak_stacks_get(index), hash, frames, depth))
            return index; /* a lost `fresh` stays in the arena, unused: rare and bounded */
    }
    return 0;
}

void libleak_stacks_for_each(void (*visit)(struct libleak_stack *stack, void *context), void *context)
{
    if (!slots)
        return;
    for (uint64_t position = 0; position <= slot_mask; position++) {
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

void libleak_stacks_totals(const struct libleak_stack *stack, struct libleak_stack_totals *totals)
{
    totals->alloc_objects = atomic_load_explicit(&stack->alloc_objects, memory_order_relaxed);
    totals->alloc_bytes = atomic_load_explicit(&stack->alloc_bytes, memory_order_relaxed);
    totals->free_objects = atomic_load_explicit(&stack->free_objects, memory_order_relaxed);
    totals->free_bytes = atomic_load_explicit(&stack->free_bytes, memory_order_relaxed);
}
