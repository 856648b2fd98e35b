/*
 * frame_filter.h — pprof's --focus and --ignore: a stack is kept when some frame matches
 * --focus and none matches --ignore, a frame matching as model/pattern.h says (its function
 * name or its source file).
 */
#ifndef LEAKPROF_FRAME_FILTER_H
#define LEAKPROF_FRAME_FILTER_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/frames.h"

struct frame_filter {
    const struct frame_table *frames;
    regex_t focus, ignore;
    bool has_focus, has_ignore;
    signed char *cache; /* per frame id: 0 unknown, 1/2 focus, 4/8 ignore */
};

/* FOCUS and IGNORE may be NULL. False, after the message, when one does not compile. */
bool filter_init(struct frame_filter *filter, const struct frame_table *frames, const char *focus,
                 const char *ignore);
void filter_free(struct frame_filter *filter);

/* Whether the stack is kept; a NULL filter keeps everything. */
bool filter_keeps(struct frame_filter *filter, const uint32_t *frames, uint32_t depth);

#endif
