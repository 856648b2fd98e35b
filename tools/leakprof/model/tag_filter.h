/*
 * tag_filter.h — --tagfocus and --tagignore: keeping or dropping samples by their labels, with
 * pprof's syntax.
 *
 *   KEY=REGEX[,REGEX...]   a string label KEY matching one of the expressions (unanchored)
 *   KEY=LOW:HIGH           a numeric label KEY within the range, ends included; either end
 *   KEY=LOW: , KEY=:HIGH   may be left out; KEY=VALUE alone is an exact value
 *   (no KEY=)              any label of the kind the value is
 * A numeric value may carry a unit, of time (ns, us, ms, s, m, h, d) or of size (b, kb, mb, gb,
 * tb: binary, with k, m, g, t the same), read in the family of the label's own unit
 * (nanoseconds, seconds, bytes; a label named "bytes" without unit is in bytes): lifetime=:1ms,
 * age=30m:, bytes=1mb. As in pprof, a value without unit matches only labels without one, and a
 * unit of another family nothing.
 *
 * --tagfocus keeps the samples that have a matching label; --tagignore drops them. Applied by
 * profile_load to every file, as --older-than is, so every command that takes them gets them.
 */
#ifndef LEAKPROF_TAG_FILTER_H
#define LEAKPROF_TAG_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "model/profile_model.h"

/* Set by the options (NULL: not given). */
extern const char *tag_focus, *tag_ignore;

/* Whether SPEC is well formed; when not, a reason in MESSAGE. */
bool tag_filter_valid(const char *spec, char *message, size_t size);

/* Applies tag_focus and tag_ignore to PROFILE's samples; their order is kept. */
void tag_filter_apply(struct profile *profile);

#endif
