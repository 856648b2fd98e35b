/*
 * lib.c — the shared library of app.c (libsymbolize.so), with its own leaking function, and
 * an inlined helper so that naming elsewhere must give inlined frames too. Built twice, as
 * app.c is (-DOTHER: same names, other code, other build ID).
 */
#include <stdlib.h>
#include <string.h>

#ifdef OTHER
__attribute__((noinline)) void *wrong_build_lib_padding(size_t size)
{
    return calloc(1, size + 3);
}
#endif

static inline __attribute__((always_inline)) void *symbolize_lib_fill(size_t size)
{
    char *block = malloc(size);
    if (block)
        memset(block, 2, size);
    return block;
}

__attribute__((noinline)) void *symbolize_lib_leak(size_t size)
{
    return symbolize_lib_fill(size);
}
