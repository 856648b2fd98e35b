/*
 * thread — the per-thread state of the hot path.
 *
 * One small struct in initial-exec TLS: the general-dynamic model may call malloc from
 * __tls_get_addr, that is from inside our own malloc. The fast path reads and writes only
 * `countdown`; everything else is touched on the slow path.
 *
 * Invariant the hooks rely on: a countdown is non-negative only once the real allocator is
 * known. Every thread starts at -1; the slow path sets a real countdown only after the
 * constructor has resolved the real functions, and libleak_enter is only called after that.
 *
 * While a thread runs libleak's own code (unwinding, dumping, libdw, zlib), `inside` is
 * non-zero and `countdown` is parked at a huge value, so the allocations that code makes go
 * straight to the real allocator without a second test on the fast path.
 */
#ifndef LIBLEAK_THREAD_H
#define LIBLEAK_THREAD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct libleak_thread {
    int64_t countdown;        /* bytes until the next sample; < 0 means "take the slow path" */
    int64_t parked_countdown; /* countdown saved while inside libleak */
    uint64_t random_state;    /* xorshift state for the exponential draws; 0 = not seeded */
    uint32_t inside;          /* nesting depth of libleak's own code on this thread */
    uintptr_t stack_low;      /* this thread's stack, for the frame-pointer walk's bounds */
    uintptr_t stack_high;
};

extern __thread struct libleak_thread libleak_thread __attribute__((tls_model("initial-exec")));

#define LIBLEAK_PARKED_COUNTDOWN (INT64_MAX / 2)

/* True when an allocation of `size` bytes must take the slow path: the countdown ran out. */
static inline bool libleak_countdown_expires(size_t size)
{
    return __builtin_expect((libleak_thread.countdown -= (int64_t)size) < 0, 0);
}

static inline void libleak_enter(void)
{
    struct libleak_thread *self = &libleak_thread;
    if (self->inside++ == 0) {
        self->parked_countdown = self->countdown;
        self->countdown = LIBLEAK_PARKED_COUNTDOWN;
    }
}

static inline void libleak_leave(void)
{
    struct libleak_thread *self = &libleak_thread;
    if (--self->inside == 0)
        self->countdown = self->parked_countdown;
}

#endif
