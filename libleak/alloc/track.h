/*
 * track — the slow path: what happens when a thread's countdown runs out (a sample is taken)
 * and when a possibly-sampled block is freed.
 */
#ifndef LIBLEAK_TRACK_H
#define LIBLEAK_TRACK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc/live.h"

/* Everything here may change errno; the hooks keep the program's (hooks.c). */

/* This thread's allocation of `block` (`size` bytes; block may be NULL when the allocation
   failed) reached its countdown. Sets the thread up on its first call, samples the block when it
   crosses the sampling point, and draws the next countdown. */
void libleak_countdown_expired(void *block, size_t size);

/* `block` may have been sampled (the filter said so): forget it and charge its stack. Safe
   from a signal handler, even one that interrupted libleak on this thread. */
void libleak_forget(void *block);

/* For realloc, after libleak_live_remove took the block out without charging: either charge
   the free (the real realloc moved or freed it) */
void libleak_charge_detached(struct libleak_live_block detached);
/* ...or put it back as it was (the real realloc failed and the old block lives on). */
void libleak_reattach(void *block, struct libleak_live_block detached);

/* True once the constructor has configured the tables. */
extern _Atomic bool libleak_ready;

/* Samples taken are counted per thread: libleak_stacks_samples(). These two are rare. */
struct libleak_counters {
    _Atomic uint64_t dropped_stacks; /* samples lost: stack table full */
    _Atomic uint64_t dropped_live;   /* samples lost: live table full */
};
extern struct libleak_counters libleak_counters;

#endif
