/*
 * redump DIR: three dumps in a row, timed from inside the process, printed as
 * "first same new" milliseconds: the first dump of a set of stacks, the same stacks again
 * (every return address already symbolized), and a dump after new call sites have allocated,
 * in the program and inside libc (asprintf, fopen), so that modules must be read again.
 *
 * It measures what the libdwfl session costs to end after every dump (symbols.h,
 * libleak_symbols_close_files): the "new" dump reopens the files of the modules its new
 * addresses are in. Built like stacks.c (no inlining, no sibling calls), run with
 * LIBLEAK_RATE=1 LIBLEAK_AT_EXIT=0.
 */
#include "bench.h"

#include <libleak.h>
#include <string.h>
#include <time.h>

#define DEPTH 6

static void *level(unsigned long code, int depth, int kinds);

#define HOP(name)                                                                                            \
    __attribute__((noinline)) static void *name(unsigned long code, int depth, int kinds)                    \
    {                                                                                                        \
        void *p = level(code, depth, kinds);                                                                 \
        __asm__ volatile("" ::: "memory");                                                                   \
        return p;                                                                                            \
    }
HOP(f0)
HOP(f1)
HOP(f2)
HOP(f3)

/* kinds 2: only f0 and f1 are called (their call sites are the first dump's); 4: all four. */
__attribute__((noinline)) static void *level(unsigned long code, int depth, int kinds)
{
    void *p;
    if (depth == 0) {
        p = malloc(16);
    } else {
        switch (code % (unsigned long)kinds) {
        case 0: p = f0(code / (unsigned long)kinds, depth - 1, kinds); break;
        case 1: p = f1(code / (unsigned long)kinds, depth - 1, kinds); break;
        case 2: p = f2(code / (unsigned long)kinds, depth - 1, kinds); break;
        default: p = f3(code / (unsigned long)kinds, depth - 1, kinds); break;
        }
    }
    __asm__ volatile("" ::: "memory");
    return p;
}

/* Live until exit: the dumps show the blocks in use. Global, so the stores stay. */
void *keep[5000];

static double dump_ms(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.pb.gz", dir, name);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (libleak_dump(path) != 0) {
        perror(path);
        exit(1);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !libleak_dump) {
        fprintf(stderr, "usage: LD_PRELOAD=libleak.so redump DIR\n");
        return 2;
    }
    int n = 0;
    for (unsigned long i = 0; i < 64; i++)
        keep[n++] = level(i, DEPTH, 2);
    keep[n++] = strdup("first");
    double first = dump_ms(argv[1], "first");
    double same = dump_ms(argv[1], "same");
    for (unsigned long i = 0; i < 4096; i++)
        keep[n++] = level(i, DEPTH, 4);
    char *text = NULL;
    if (asprintf(&text, "%d", n) < 0)
        return 1;
    keep[n++] = text;
    FILE *file = fopen("/proc/self/stat", "r");
    double fresh = dump_ms(argv[1], "new");
    if (file)
        fclose(file);
    printf("%.2f %.2f %.2f\n", first, same, fresh);
    return 0;
}
