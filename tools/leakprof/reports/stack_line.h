/*
 * stack_line.h — a stack on one line, "leaf:line < caller:line < …", for diff, growth and
 * check (and the html page's table, which writes it the same way).
 */
#ifndef LEAKPROF_STACK_LINE_H
#define LEAKPROF_STACK_LINE_H

#include <stdint.h>
#include <stdio.h>

#include "model/frames.h"

/* The lines tell apart two allocation sites in one function. Long stacks are cut. */
void report_print_stack_line(FILE *out, const struct frame_table *frames, const uint32_t *stack,
                             uint32_t depth);

#endif
