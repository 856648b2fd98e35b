/*
 * start_code — a stack without libc's start-up code below main (or below a thread's start
 * function), as memcheck shows it (--show-below-main=no).
 */
#ifndef LIBLEAK_START_CODE_H
#define LIBLEAK_START_CODE_H
#include <stdint.h>

#include "alloc/stacks.h"

/* The number of frames of stack that are not libc's start-up code. */
uint32_t libleak_depth_without_start_code(const struct libleak_stack *stack);

#endif
