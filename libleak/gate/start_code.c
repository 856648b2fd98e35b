/*
 * start_code — see start_code.h.
 *
 * Decided from the mappings alone, without symbolizing: looking up a pc in libc is what costs,
 * because with libc's debug information installed (libc6-dbg) libdwfl then reads and inflates
 * its compressed DWARF, about 0.1 s, and stripped programs have no "main" to stop at. A stack
 * ends [..., main, __libc_start_call_main, __libc_start_main_impl, _start] or
 * [..., thread function, start_thread, clone3]: drop a last frame in the program after libc
 * frames (_start), then every trailing frame in libc.
 */
#include "gate/start_code.h"

#include <stdbool.h>

#include "dump/symbols.h"
#include "os/libc.h"

static bool in_libc(uintptr_t return_address)
{
    struct libleak_line lines[1];
    int mapping = -1;
    libleak_symbols_lookup(return_address - 1, false, lines, 1, &mapping);
    return mapping >= 0 && libleak_path_is_libc(libleak_symbols_mapping(mapping)->path);
}

uint32_t libleak_depth_without_start_code(const struct libleak_stack *stack)
{
    uint32_t depth = stack->depth;
    if (depth >= 3 && !in_libc(stack->frames[depth - 1]) && in_libc(stack->frames[depth - 2]))
        depth--;
    while (depth > 1 && in_libc(stack->frames[depth - 1]))
        depth--;
    return depth;
}
