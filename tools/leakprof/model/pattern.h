/*
 * pattern.h — leakprof's regular expressions, compiled one way: POSIX extended, unanchored
 * unless the pattern anchors itself, for matching only (no groups reported). --focus,
 * --ignore, list's REGEX and a profile's drop_frames/keep_frames all go through here.
 *
 * What it means for a frame to match is said once, by pattern_matches_frame: pprof's meaning
 * for --focus and --ignore, the function name or the source file. (The html page's search
 * box, html/flame.js, means the same; `list` picks functions, so it matches names alone.)
 */
#ifndef LEAKPROF_PATTERN_H
#define LEAKPROF_PATTERN_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/frames.h"

/* Compiles PATTERN into *COMPILED (regfree it). On failure, false, with regerror's words in
   MESSAGE (SIZE bytes; MESSAGE may be NULL when the caller says nothing). */
bool pattern_compile(regex_t *compiled, const char *pattern, char *message, size_t size);

/* Whether the pattern matches somewhere in TEXT. */
bool pattern_matches(const regex_t *compiled, const char *text);

/* Whether the pattern matches the frame's function name or its source file. */
bool pattern_matches_frame(const regex_t *compiled, const struct frame *frame);

#endif
