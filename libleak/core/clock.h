/*
 * clock — the wall-clock time a profile is stamped with.
 *
 * pprof's time_nanos is wall-clock time (CLOCK_REALTIME); deadlines and durations that must not
 * jump with the clock use CLOCK_MONOTONIC at their own call sites instead.
 */
#ifndef LIBLEAK_CLOCK_H
#define LIBLEAK_CLOCK_H
#include <stdint.h>
#include <time.h>

static inline int64_t libleak_wall_nanos(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

#endif
