/*
 * stacks — the table of call stacks and their counters.
 *
 * A stack (captured by unwind.c) is hashed once and interned in a lock-free open-addressing
 * table whose slots hold indexes of records in an mmap'ed arena. Each record carries its counters on its own cache lines; they are updated with
 * relaxed atomic adds, so no lock is ever taken on the allocation or free path.
 */
#ifndef LIBLEAK_STACKS_H
#define LIBLEAK_STACKS_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sampler.h"

struct libleak_stack {
    _Atomic uint64_t alloc_objects; /* fixed point, LIBLEAK_OBJECT_ONE per object */
    _Atomic uint64_t alloc_bytes;
    _Atomic uint64_t free_objects;
    _Atomic uint64_t free_bytes;
    uint64_t hash;
    uint32_t depth;
    uint32_t reserved;
    uintptr_t frames[]; /* return addresses, the allocation's caller first */
};

/* Reserves the table for at most max_stacks stacks (their records are mapped as needed). */
bool libleak_stacks_init(uint64_t max_stacks);

/* Finds or adds the stack; returns its index, or 0 when the table is full. */
uint32_t libleak_stacks_intern(const uintptr_t *frames, int depth);

struct libleak_stack *libleak_stacks_get(uint32_t index);

static inline void libleak_stacks_charge(struct libleak_stack *stack, struct libleak_weight weight,
                                         bool allocation)
{
    atomic_fetch_add_explicit(allocation ? &stack->alloc_objects : &stack->free_objects, weight.objects,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(allocation ? &stack->alloc_bytes : &stack->free_bytes, weight.bytes,
                              memory_order_relaxed);
}

/* A stack's four counters, summed (fixed point exactly as the counters of struct libleak_stack). */
struct libleak_stack_totals {
    uint64_t alloc_objects, alloc_bytes, free_objects, free_bytes;
};
void libleak_stacks_totals(const struct libleak_stack *stack, struct libleak_stack_totals *totals);

/* Calls visit for every stack interned so far (any thread, concurrently with interning). */
void libleak_stacks_for_each(void (*visit)(struct libleak_stack *stack, void *context), void *context);

uint64_t libleak_stacks_count(void);
uint64_t libleak_stacks_capacity(void);

#endif
