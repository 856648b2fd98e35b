/*
 * util.h — the few helpers every leakprof file needs: allocation that cannot return NULL
 * (a reader that runs out of memory has nothing better to do than say so and stop), a
 * string hash, and int64 sums that saturate instead of overflowing (a hostile file may hold
 * values near INT64_MAX; signed overflow would be undefined behaviour, not just a wrong sum).
 */
#ifndef LEAKPROF_UTIL_H
#define LEAKPROF_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);

uint64_t hash_bytes(uint64_t hash, const void *data, size_t size);
#define HASH_SEED 14695981039346656037ULL

static inline int64_t add_saturating(int64_t a, int64_t b)
{
    int64_t sum;
    if (__builtin_add_overflow(a, b, &sum))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return sum;
}

static inline int64_t negate_saturating(int64_t a)
{
    return a == INT64_MIN ? INT64_MAX : -a;
}

static inline int64_t abs_saturating(int64_t a)
{
    return a < 0 ? negate_saturating(a) : a;
}

/*
 * A double to int64, clamped: C leaves the conversion undefined when the value does not
 * fit, and scaled values from a hostile file (hours to nanoseconds, say) do not.
 */
static inline int64_t int64_from_double(double d)
{
    if (!(d == d))
        return 0;
    if (d >= 9223372036854775807.0)
        return INT64_MAX;
    if (d <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)d;
}

#endif
