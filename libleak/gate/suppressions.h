/*
 * suppressions — which loss records the gate does not count: the built-in list (blocks the
 * dynamic loader allocates itself) and the user's LIBLEAK_SUPPRESSIONS file, LeakSanitizer's
 * leak:PATTERN lines matched against function names, linkage names, module paths and source
 * files of a stack's frames (common/suppressions.h).
 */
#ifndef LIBLEAK_GATE_SUPPRESSIONS_H
#define LIBLEAK_GATE_SUPPRESSIONS_H
#include <stdbool.h>
#include <stdint.h>

#include "alloc/stacks.h"

/* Reads LIBLEAK_SUPPRESSIONS, if set (a file that cannot be read, or has a bad line, is
   reported, then not used). */
void libleak_gate_suppressions_load(void);

/* True when the allocation's caller is in the dynamic loader. */
bool libleak_gate_builtin_suppressed(const struct libleak_stack *stack);

/* True when a pattern of the user's matches one of the first depth frames. */
bool libleak_gate_user_suppressed(const struct libleak_stack *stack, uint32_t depth);

#endif
