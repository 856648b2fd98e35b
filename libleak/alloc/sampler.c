/*
 * sampler — a thread's seed, the exponential draw of its next countdown and the weight of a
 * sample; why those are the right statistics is in sampler.h. The draw and the weight depend
 * only on their arguments, so test_sampler checks their distribution without the library
 * loaded.
 */
#include "alloc/sampler.h"

#include <math.h>
#include <stdatomic.h>
#include <time.h>

uint64_t libleak_sampler_seed(const void *thread_address)
{
    static _Atomic uint64_t counter;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now); /* always answered by the vDSO: no system call */
    uint64_t seed = (uint64_t)(uintptr_t)thread_address ^ ((uint64_t)now.tv_nsec << 20) ^
                    (uint64_t)now.tv_sec ^ (atomic_fetch_add(&counter, 1) * 0x9E3779B97F4A7C15ULL);
    /* splitmix64 finaliser: nearby addresses and times give unrelated streams */
    seed = (seed ^ (seed >> 30)) * 0xBF58476D1CE4E5B9ULL;
    seed = (seed ^ (seed >> 27)) * 0x94D049BB133111EBULL;
    seed ^= seed >> 31;
    return seed ? seed : 1;
}

/* xorshift64*: fast, and its 53 high bits are plenty for one uniform variate. */
static double uniform_open01(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    uint64_t bits = (x * 0x2545F4914F6CDD1DULL) >> 11;
    return ((double)bits + 0.5) / 9007199254740992.0; /* (0, 1): never 0, never 1 */
}

int64_t libleak_sampler_next(uint64_t *random_state, uint64_t rate)
{
    if (rate <= 1)
        return 0;
    double distance = -log(uniform_open01(random_state)) * (double)rate;
    if (distance > (double)(INT64_MAX / 4))
        distance = (double)(INT64_MAX / 4);
    return (int64_t)distance;
}

struct libleak_weight libleak_sampler_weight(size_t size, uint64_t rate)
{
    struct libleak_weight weight;
    if (rate <= 1 || size == 0) {
        weight.objects = LIBLEAK_OBJECT_ONE;
        weight.bytes = size;
        return weight;
    }
    /* 1/p(s) with p(s) = 1 - exp(-s/rate); expm1 keeps precision for s << rate. */
    double inverse_probability = -1.0 / expm1(-(double)size / (double)rate);
    weight.objects = (uint64_t)llround(inverse_probability * LIBLEAK_OBJECT_ONE);
    weight.bytes = (uint64_t)llround(inverse_probability * (double)size);
    return weight;
}
