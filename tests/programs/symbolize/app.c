/*
 * app.c — a program of ours with a leaking function, calling a leaking function of a shared
 * library of ours (lib.c), for the tests of naming unnamed profiles elsewhere
 * (tests/cases/symbolize_*.sh). Built twice: as is, and with -DOTHER, a build of the same
 * names whose code and build ID differ (a wrong file at the right path).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *symbolize_lib_leak(size_t size);

#ifdef OTHER
/* Shifts every address: the wrong build names nothing right. */
__attribute__((noinline)) void *wrong_build_padding(size_t size)
{
    void *block = malloc(size + 1);
    if (block)
        memset(block, 7, size + 1);
    return block;
}
#endif

__attribute__((noinline)) void *symbolize_app_leak(size_t size)
{
    char *block = malloc(size);
    if (block)
        memset(block, 1, size);
    return block;
}

static void *kept[2];

int main(void)
{
    kept[0] = symbolize_app_leak(5000);
    kept[1] = symbolize_lib_leak(3000);
    kept[0] = kept[1] = NULL; /* both lost: in use at exit, unreachable */
    puts("done");
    return 0;
}
