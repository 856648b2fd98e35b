/*
 * thread — the per-thread state of the hot path.
 *
 * One small struct in initial-exec TLS: the general-dynamic model may call malloc from
 * __tls_get_addr, that is from inside our own malloc. The fast path reads and writes only
 * `countdown`; everything else is touched on the slow path.
 *
 * The countdown is unsigned and counts the bytes left before the thread's next sampling point:
 * an allocation of `countdown` bytes or more takes the slow path, so 0 sends every allocation
 * there (size 0 included) and no size, however large, can overflow the subtraction.
 *
 * Invariant the hooks rely on: a countdown is non-zero only once the real allocator is known.
 * Every thread starts at 0; the slow path sets a real countdown only after the constructor has
 * resolved the real functions, and libleak_enter is only called after that.
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

struct libleak_stripe;

struct libleak_thread {
    uint64_t countdown;        /* an allocation of at least this many bytes takes the slow path */
    uint64_t parked_countdown; /* countdown saved while inside libleak */
    uint64_t random_state;     /* xorshift state for the exponential draws; 0 = not seeded */
    uint32_t inside;           /* nesting depth of libleak's own code on this thread */
    uintptr_t stack_low;       /* this thread's stack (thread_stack.c), 0 = not yet known */
    uintptr_t stack_high;
    uintptr_t own_stack_low;   /* the stack of ours libunwind runs on now (unwind.c), or 0 */
    uintptr_t own_stack_high;
    uintptr_t own_frames_low;  /* libleak's frames on the program's stack during a walk, or 0 */
    uintptr_t own_frames_high;
    bool unwind_refused;       /* libunwind_setup.c refused a read of this capture */
    struct libleak_stripe *stripe; /* this thread's stack counters (stacks.c), NULL until needed */
    bool stripe_released;          /* handed back at thread exit: charge the shared stripe now */
    uint32_t shared_charges;       /* charges made to the shared stripe before having one */
    uint32_t clock_seconds;        /* libleak_live_now_seconds() as last read... */
    uint64_t clock_read_at;        /* ...at this time-stamp counter value */
    uint64_t nanos_read_at;        /* time-stamp counter at this thread's last clock read... */
    uint64_t nanos_at_read;        /* ...and libleak_live_now_nanos() then (live.h) */
    uint32_t name_id;              /* this thread's name (thread_names.c)... */
    uint32_t name_generation;      /* ...as of this rename generation; 0 = never read */
};

extern __thread struct libleak_thread libleak_thread __attribute__((tls_model("initial-exec")));

#define LIBLEAK_PARKED_COUNTDOWN (UINT64_MAX / 2)

/* True when an allocation of `size` bytes must take the slow path: size >= countdown. The
   countdown is unsigned, so no size (malloc(SIZE_MAX) included) can overflow it. On x86-64 the
   subtraction and the test are one `sub` to thread-local memory and one `jbe` (gcc does not find
   that form from C); on the slow path the countdown holds garbage that the slow path resets. */
static inline bool libleak_countdown_expires(size_t size)
{
#if defined(__x86_64__)
    __asm__ goto("subq %1, %0\n\tjbe %l[expired]"
                 : /* no outputs: asm goto with outputs needs gcc 11 */
                 : "m"(libleak_thread.countdown), "r"(size)
                 : "memory", "cc"
                 : expired);
    return false;
expired:
    return true;
#else
    uint64_t before = libleak_thread.countdown;
    libleak_thread.countdown = before - size;
    return __builtin_expect(before <= size, 0);
#endif
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
