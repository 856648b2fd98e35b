/*
 * realtime_ahead: preloaded before libleak, makes clock_gettime(CLOCK_REALTIME) read one hour
 * ahead of the clock the kernel keeps, as if the wall clock had been set forward between a
 * reading and a wait. A deadline computed from CLOCK_REALTIME then lies an hour away for any
 * wait on the kernel's clock; one on CLOCK_MONOTONIC is untouched. Other clocks pass through.
 */
#include <dlfcn.h>
#include <time.h>

int clock_gettime(clockid_t clock, struct timespec *now)
{
    static int (*next)(clockid_t, struct timespec *);
    if (!next)
        next = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    int result = next(clock, now);
    if (result == 0 && clock == CLOCK_REALTIME)
        now->tv_sec += 3600;
    return result;
}
