/*
 * frame_filter.c — --focus and --ignore (frame_filter.h), each frame's verdict computed once.
 */
#include "reports/frame_filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/pattern.h"
#include "model/util.h"

static bool compile(regex_t *re, const char *pattern, const char *option)
{
    char message[256];
    if (pattern_compile(re, pattern, message, sizeof message))
        return true;
    fprintf(stderr, "leakprof: bad %s regular expression '%s': %s\n", option, pattern, message);
    return false;
}

bool filter_init(struct frame_filter *filter, const struct frame_table *frames, const char *focus,
                 const char *ignore)
{
    memset(filter, 0, sizeof *filter);
    filter->frames = frames;
    if (focus) {
        if (!compile(&filter->focus, focus, "--focus"))
            return false;
        filter->has_focus = true;
    }
    if (ignore) {
        if (!compile(&filter->ignore, ignore, "--ignore")) {
            filter_free(filter);
            return false;
        }
        filter->has_ignore = true;
    }
    filter->cache = xcalloc(frames->count, 1);
    return true;
}

void filter_free(struct frame_filter *filter)
{
    if (filter->has_focus)
        regfree(&filter->focus);
    if (filter->has_ignore)
        regfree(&filter->ignore);
    free(filter->cache);
    memset(filter, 0, sizeof *filter);
}

static int frame_verdict(struct frame_filter *filter, uint32_t id)
{
    if (!filter->cache[id]) {
        const struct frame *frame = frame_get(filter->frames, id);
        int verdict = 0;
        verdict |= filter->has_focus && pattern_matches_frame(&filter->focus, frame) ? 1 : 2;
        verdict |= filter->has_ignore && pattern_matches_frame(&filter->ignore, frame) ? 4 : 8;
        filter->cache[id] = (signed char)verdict;
    }
    return filter->cache[id];
}

bool filter_keeps(struct frame_filter *filter, const uint32_t *frames, uint32_t depth)
{
    if (!filter || (!filter->has_focus && !filter->has_ignore))
        return true;
    bool focused = !filter->has_focus;
    for (uint32_t i = 0; i < depth; i++) {
        int verdict = frame_verdict(filter, frames[i]);
        if (verdict & 4)
            return false;
        if (verdict & 1)
            focused = true;
    }
    /* pprof drops a stack with no frames as soon as any filter is active. */
    return focused && depth > 0;
}
