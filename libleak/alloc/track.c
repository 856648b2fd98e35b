/*
 * track — taking a sample and giving it back.
 *
 * Runs with the "inside" flag set, so that libunwind's own allocations go straight to the real
 * allocator. A sample is first entered in the live table and only then charged to its stack: if
 * the live table has no room the sample is dropped whole, so in-use numbers never count a block
 * whose free we could not see.
 *
 * errno is not kept here: unwinding reads /proc/self/maps and the tables map memory. The hooks
 * that call in keep the program's (hooks.c).
 */
#include "alloc/track.h"

#include <stdatomic.h>

#include "core/config.h"
#include "alloc/peak_counters.h"
#include "alloc/sampler.h"
#include "alloc/stacks.h"
#include "alloc/thread.h"
#include "alloc/thread_names.h"
#include "alloc/unwind.h"

/* All zero: a countdown of 0 sends the first allocation of every thread here to set it up. */
__thread struct libleak_thread libleak_thread __attribute__((tls_model("initial-exec")));

_Atomic bool libleak_ready;
struct libleak_counters libleak_counters;

/* A sample's birth: to the microsecond for its lifetime, else to the second for its age. */
static uint64_t birth_now(void)
{
    return libleak_config.lifetimes ? libleak_live_now_nanos() : (uint64_t)libleak_live_now_seconds() * 1000000000;
}

/* Charges a sample or its free to the stack's counters (the shared stripe's when `reentrant`),
   and with LIBLEAK_PEAK follows the peak around the charge (peak_counters.c). */
static inline void charge_stack(uint32_t stack_index, struct libleak_weight weight, bool allocation,
                                bool reentrant)
{
    bool peak = __builtin_expect(libleak_peak_counters_on, 0);
    if (peak)
        libleak_peak_counters_before_change(libleak_stacks_get(stack_index));
    if (reentrant)
        libleak_stacks_charge_reentrant(stack_index, weight, allocation);
    else
        libleak_stacks_charge_index(stack_index, weight, allocation);
    if (peak)
        libleak_peak_counters_after_change(weight, allocation);
}

static void take_sample(void *block, size_t size)
{
    /* Sized by LIBLEAK_DEPTH: a sample runs on the program's stack, which may be small. */
    uintptr_t frames[libleak_config.depth + LIBLEAK_OWN_FRAMES];
    int depth = libleak_unwind_capture(frames, libleak_config.depth);
    uint32_t stack_index = libleak_stacks_intern(frames, depth, libleak_thread_name_current());
    if (!stack_index) {
        atomic_fetch_add_explicit(&libleak_counters.dropped_stacks, 1, memory_order_relaxed);
        return;
    }
    struct libleak_live_block live = {
            .stack = stack_index, .size = size, .birth_nanos = birth_now()};
    if (!libleak_live_insert(block, live)) {
        atomic_fetch_add_explicit(&libleak_counters.dropped_live, 1, memory_order_relaxed);
        return;
    }
    charge_stack(stack_index, libleak_sampler_weight_inline(size, libleak_config.rate), true, false);
}

/* Bytes to the next sampling point, as a countdown: an allocation of at least that many
   bytes crosses it (thread.h). */
static uint64_t draw_countdown(struct libleak_thread *self, uint64_t rate)
{
    return (uint64_t)libleak_sampler_next(&self->random_state, rate) + 1;
}

/* The thread's stack bounds are found by unwind.c when it first needs them: pthread_getattr_np
   here took the thread's own lock, and a program calling it deadlocked on its first malloc. */
static void set_up_thread(struct libleak_thread *self)
{
    self->random_state = libleak_sampler_seed(self);
}

void libleak_countdown_expired(void *block, size_t size)
{
    struct libleak_thread *self = &libleak_thread;
    if (self->inside) {
        self->countdown = LIBLEAK_PARKED_COUNTDOWN; /* a huge size got here: park it again */
        return;
    }
    if (!atomic_load_explicit(&libleak_ready, memory_order_acquire)) {
        self->countdown = 0; /* not configured yet: ask again next time */
        return;
    }
    uint64_t rate = libleak_config.rate;
    if (rate == 0) {
        self->countdown = UINT64_MAX;
        return;
    }
    libleak_enter();
    bool crossed = true;
    uint64_t next = 0; /* exact mode: every allocation comes back here */
    if (self->random_state == 0) {
        set_up_thread(self);
        /* The thread's first sampling point is drawn now, and this first allocation is measured
           against it like any other (Go draws it when a thread's cache is made): it is sampled
           with the same probability, and weighed the same, as every later one. */
        if (rate != 1) {
            next = draw_countdown(self, rate);
            crossed = size >= next;
            next -= crossed ? 0 : size;
        }
    }
    if (crossed) {
        /* Past its sampling point a block has size >= countdown >= 1, except in exact mode,
           where zero-byte blocks count too. */
        if (block && (rate == 1 || size > 0))
            take_sample(block, size);
        if (rate != 1)
            next = draw_countdown(self, rate);
    }
    libleak_leave();
    self->countdown = next;
}

/* The free path: the free and the block's lifetime. It may map a stripe of counters. */
static void charge_free(struct libleak_live_block detached, bool reentrant)
{
    struct libleak_weight weight = libleak_sampler_weight_inline(detached.size, libleak_config.rate);
    charge_stack(detached.stack, weight, false, reentrant);
    if (!libleak_config.lifetimes)
        return;
    uint64_t now = libleak_live_now_nanos();
    libleak_stacks_charge_lifetime(detached.stack, weight, now > detached.birth_nanos ? now - detached.birth_nanos : 0,
                                   reentrant);
}

void libleak_charge_detached(struct libleak_live_block detached)
{
    charge_free(detached, false);
}

void libleak_reattach(void *block, struct libleak_live_block detached)
{
    if (!libleak_live_insert(block, detached)) {
        /* No room to put it back: count it freed rather than leave a phantom leak. */
        libleak_charge_detached(detached);
        atomic_fetch_add_explicit(&libleak_counters.dropped_live, 1, memory_order_relaxed);
    }
}

/* Safe on any thread at any moment, this one included while it is inside libleak (a signal
   handler that interrupted the slow path, a new_handler called from operator new): removing an
   entry waits for nothing (live.h), and inside libleak the charge goes to the shared stripe, so
   that it cannot meet a half-done charge or stripe adoption of the interrupted code. */
void libleak_forget(void *block)
{
    struct libleak_live_block detached;
    if (libleak_config.lifetimes ? libleak_live_remove(block, &detached) : libleak_live_forget(block, &detached))
        charge_free(detached, libleak_thread.inside != 0);
}
