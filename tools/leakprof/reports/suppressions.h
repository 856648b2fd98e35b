/*
 * suppressions.h — `check`'s list of known, accepted leaks.
 *
 * The file format follows LeakSanitizer's: one "leak:PATTERN" per line, '#' starts a
 * comment line, blank lines are ignored. PATTERN is a glob (fnmatch(3): * ? [...]); a stack
 * is suppressed when it matches the name of any of its functions. LeakSanitizer matches
 * substrings; a glob is stricter, so write "*name*" for that.
 */
#ifndef LEAKPROF_SUPPRESSIONS_H
#define LEAKPROF_SUPPRESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/frames.h"

struct suppressions {
    char **patterns;
    size_t count;
};

/* Reads PATH; on a bad line prints "leakprof: PATH:LINE: problem" and returns false. */
bool suppressions_load(struct suppressions *list, const char *path);
void suppressions_free(struct suppressions *list);
/* The pattern that suppresses this stack, or NULL. */
const char *suppressions_match(const struct suppressions *list, const struct frame_table *frames,
                               const uint32_t *stack, uint32_t depth);

#endif
