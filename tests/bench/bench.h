/*
 * Shared by the benchmark workloads: a fast deterministic generator and argument parsing.
 * Deterministic on purpose: every configuration of a run sees the same sequence of sizes, so a
 * difference in time is the allocator's, not the workload's.
 */
#ifndef LIBLEAK_BENCH_H
#define LIBLEAK_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* xorshift64*: a handful of instructions, so the generator stays small next to malloc. */
static inline uint64_t bench_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* A count argument with a default; a bad value stops the run rather than timing nonsense. */
static inline long bench_arg(int argc, char **argv, int i, long dflt)
{
    if (argc <= i)
        return dflt;
    char *end;
    long v = strtol(argv[i], &end, 10);
    if (*end != '\0' || v < 0) {
        fprintf(stderr, "%s: bad number '%s'\n", argv[0], argv[i]);
        exit(2);
    }
    return v;
}

#endif
