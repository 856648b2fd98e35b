/*
 * suppressions.c — leakprof's side of the suppression files (suppressions.h): opening the
 * file with leakprof's messages, and the stacks of the frame table as common/suppressions.c's
 * frames.
 */
#include "reports/suppressions.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool suppressions_load(struct libleak_suppressions *list, const char *path)
{
    *list = (struct libleak_suppressions){0};
    FILE *file = fopen(path, "r");
    if (!file) {
        fprintf(stderr, "leakprof: %s: cannot open: %s\n", path, strerror(errno));
        return false;
    }
    char error[512];
    bool ok = libleak_suppressions_read(list, file, path, error, sizeof error);
    fclose(file);
    if (!ok)
        fprintf(stderr, "leakprof: %s\n", error);
    return ok;
}

const char *suppressions_match(const struct libleak_suppressions *list, const struct frame_table *frames,
                               const uint32_t *stack, uint32_t depth)
{
    for (uint32_t i = 0; i < depth; i++) {
        const struct frame *frame = frame_get(frames, stack[i]);
        const char *pattern = libleak_suppressions_match_frame(
                list, &(struct libleak_suppression_frame){.function = frame->name, .file = frame->file});
        if (pattern)
            return pattern;
    }
    return NULL;
}
