/*
 * twin: a small library built twice (tests/build.mk), as libtwin_first.so and
 * libtwin_second.so, identical but for the names of its functions, so that the second, loaded
 * where the first was unloaded, has the same code at the same addresses under other names.
 */
#include <stdlib.h>
#include <string.h>

#define JOIN(a, b)      a##b
#define EXPAND(a, b)    JOIN(a, b)
#define NAMED(function) EXPAND(TWIN, function)

__attribute__((noinline)) void *NAMED(_inner)(size_t size)
{
    char *block = malloc(size);
    if (block)
        memset(block, 1, size);
    return block;
}

__attribute__((noinline)) void *NAMED(_outer)(size_t size)
{
    void *block = NAMED(_inner)(size);
    __asm__ volatile("" ::: "memory"); /* not a tail call: this frame stays on the stack */
    return block;
}
