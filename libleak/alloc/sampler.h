/*
 * sampler — when to sample, and what a sample stands for.
 *
 * Sampling is a Poisson process over allocated bytes with mean `rate`: each thread counts down
 * a distance drawn from the exponential distribution, and the allocation that crosses zero is
 * sampled. By memorylessness an allocation of s bytes is then sampled with probability
 * p(s) = 1 - exp(-s/rate), whatever came before it. Each sample therefore stands for 1/p(s)
 * allocations of its size (Horvitz-Thompson: unbiased for any mix of sizes), and we add that
 * weight to its stack's object count and weight*s to its bytes — jemalloc's rule: unbias each
 * sample, then sum. rate == 1 means exact mode: every allocation, weight exactly 1.
 */
#ifndef LIBLEAK_SAMPLER_H
#define LIBLEAK_SAMPLER_H
#include <stddef.h>
#include <stdint.h>

/* Object counts are kept in fixed point so that weights below 1 object are not lost and a
   free subtracts exactly what its malloc added. */
#define LIBLEAK_OBJECT_ONE 65536

struct libleak_weight {
    uint64_t objects; /* in units of 1/LIBLEAK_OBJECT_ONE object */
    uint64_t bytes;
};

/* The next countdown: an exponential draw with mean `rate` (at least 1). */
int64_t libleak_sampler_next(uint64_t *random_state, uint64_t rate);

/* What a sampled block of `size` bytes stands for; a pure function of size and rate, so a free
   recomputes exactly what the malloc added. */
struct libleak_weight libleak_sampler_weight(size_t size, uint64_t rate);

/* The same, with exact mode's answer inline: the slow path asks twice per malloc+free pair,
   and a call for weight 1 cost about 24 instructions a pair. */
static inline struct libleak_weight libleak_sampler_weight_inline(size_t size, uint64_t rate)
{
    if (rate <= 1 || size == 0)
        return (struct libleak_weight){.objects = LIBLEAK_OBJECT_ONE, .bytes = size};
    return libleak_sampler_weight(size, rate);
}

/* Seeds a thread's generator from its address, the time and a counter. */
uint64_t libleak_sampler_seed(const void *thread_address);

#endif
