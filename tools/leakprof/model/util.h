/*
 * util.h — the few helpers every leakprof file needs: allocation that cannot return NULL
 * (a reader that runs out of memory has nothing better to do than say so and stop), id maps
 * (common/id_map.h) that cannot fail either, and int64 sums that saturate instead of
 * overflowing (a hostile file may hold values near INT64_MAX; signed overflow would be
 * undefined behaviour, not just a wrong sum).
 */
#ifndef LEAKPROF_UTIL_H
#define LEAKPROF_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/id_map.h"

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);

/* libleak_id_map_init and _reserve on the heap, that end the program when out of memory. */
void id_map_init(struct libleak_id_map *map, uint64_t expected);
void id_map_reserve(struct libleak_id_map *map);

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
