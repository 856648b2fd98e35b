/*
 * stack_line.c — one stack on one line (stack_line.h).
 */
#include "reports/stack_line.h"

/* Enough callers to place an allocation; the rest would wrap the line. */
#define STACK_LINE_FRAMES 8

void report_print_stack_line(FILE *out, const struct frame_table *frames, const uint32_t *stack,
                             uint32_t depth)
{
    if (depth == 0)
        fputs("<no frames>", out);
    for (uint32_t i = 0; i < depth && i < STACK_LINE_FRAMES; i++) {
        const struct frame *frame = frame_get(frames, stack[i]);
        fprintf(out, "%s%s", i ? " < " : "", frame->name);
        if (frame->line > 0)
            fprintf(out, ":%lld", (long long)frame->line);
    }
    if (depth > STACK_LINE_FRAMES)
        fprintf(out, " < ... (%u more)", depth - STACK_LINE_FRAMES);
}
