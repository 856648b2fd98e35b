/*
 * suppressions.h — `check --suppressions FILE`: the accepted leaks, in the syntax and with the
 * matching libleak's gate uses (common/suppressions.h: LeakSanitizer's "leak:PATTERN" lines).
 * A profile's frames carry a function name and a source file, and those are what a pattern
 * can match here; pprof profiles keep no linkage names, and leakprof's frames no module paths.
 */
#ifndef LEAKPROF_SUPPRESSIONS_H
#define LEAKPROF_SUPPRESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/suppressions.h"
#include "model/frames.h"

/* Reads PATH; a file that cannot be read or has a bad line gets one line on stderr,
   "leakprof: PATH:LINE: problem", and false (exit status 2 for the caller). */
bool suppressions_load(struct libleak_suppressions *list, const char *path);

/* The pattern that suppresses this stack, or NULL. */
const char *suppressions_match(const struct libleak_suppressions *list, const struct frame_table *frames,
                               const uint32_t *stack, uint32_t depth);

#endif
