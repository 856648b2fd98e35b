/*
 * quantities — the one syntax of sizes and durations, read by both programs: libleak's
 * LIBLEAK_RATE, LIBLEAK_MAX_MEMORY, LIBLEAK_INTERVAL… (core/config.c) and leakprof's
 * --max-bytes and --older-than (commands/options.c).
 *
 * A quantity is a decimal number, then a unit, with blanks around it allowed:
 *   number    "512", "1.5", ".5", "2e3": digits with an optional fraction and exponent
 *   size      k, m, g, t (powers of 1024), optionally followed by "i" and/or "b", in either
 *             case ("64k", "64KiB", "10MB", "1.5g"); "b" or nothing is bytes
 *   duration  s, m, h, d (lower case); nothing is seconds ("90", "1.5h")
 * The value is rounded down to a whole byte or second. It is the union of what the two
 * programs accepted before they shared this file (the library: integers, t, "ki"; leakprof:
 * fractions, exponents, a lone "b", "-0"), so every value either accepted keeps its meaning.
 *
 * Pure and allocation-free: the library parses its environment in the constructor, before
 * its tables exist, and nothing here depends on the locale.
 */
#ifndef LIBLEAK_QUANTITIES_H
#define LIBLEAK_QUANTITIES_H
#include <stdbool.h>
#include <stdint.h>

/* Parses a size into bytes; false when TEXT is not one or it exceeds UINT64_MAX. */
bool libleak_parse_size(const char *text, uint64_t *bytes);

/* Parses a duration into seconds; false when TEXT is not one or it exceeds UINT64_MAX. */
bool libleak_parse_duration(const char *text, uint64_t *seconds);

#endif
