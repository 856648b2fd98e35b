/*
 * stacks COUNT PATH: makes COUNT distinct call stacks, each holding one live 16-byte block, then
 * times libleak_dump(PATH) from inside the process and prints "milliseconds bytes".
 *
 * A stack is the base-4 digits of a counter: at each of DEPTH levels, level() calls one of four
 * functions through its own call site, so every counter value is a different sequence of return
 * addresses of the same depth. The depth is fixed for every COUNT so that the three sizes differ
 * only in the number of stacks. Built with -fno-optimize-sibling-calls and -fno-inline (see
 * build.mk): a tail call or an inlined function would merge frames and with them the stacks.
 */
#include "bench.h"

#include <libleak.h>
#include <sys/stat.h>
#include <time.h>

#define DEPTH 9 /* 4^9 = 262 144 > 100 000 */

static void *level(unsigned long code, int depth);

/* The empty asm after each call keeps the call from becoming a jump. */
#define HOP(name)                                                                                            \
    __attribute__((noinline)) static void *name(unsigned long code, int depth)                               \
    {                                                                                                        \
        void *p = level(code, depth);                                                                        \
        __asm__ volatile("" ::: "memory");                                                                   \
        return p;                                                                                            \
    }
HOP(f0)
HOP(f1)
HOP(f2)
HOP(f3)

__attribute__((noinline)) static void *level(unsigned long code, int depth)
{
    void *p;
    if (depth == 0) {
        p = malloc(16);
    } else {
        switch (code & 3) {
        case 0: p = f0(code >> 2, depth - 1); break;
        case 1: p = f1(code >> 2, depth - 1); break;
        case 2: p = f2(code >> 2, depth - 1); break;
        default: p = f3(code >> 2, depth - 1); break;
        }
    }
    __asm__ volatile("" ::: "memory");
    return p;
}

int main(int argc, char **argv)
{
    long count = bench_arg(argc, argv, 1, 1000);
    if (argc < 3) {
        fprintf(stderr, "usage: stacks COUNT PATH\n");
        return 2;
    }
    if (!libleak_dump) {
        fprintf(stderr, "stacks: libleak is not preloaded\n");
        return 2;
    }
    void **keep = malloc(sizeof *keep * (size_t)(count ? count : 1));
    if (!keep)
        return 1;
    for (long i = 0; i < count; i++)
        keep[i] = level((unsigned long)i, DEPTH);

    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = libleak_dump(argv[2]);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (rc != 0) {
        perror("libleak_dump");
        return 1;
    }
    struct stat st;
    if (stat(argv[2], &st) != 0) {
        perror(argv[2]);
        return 1;
    }
    double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    printf("%.3f %lld\n", ms, (long long)st.st_size);
    for (long i = 0; i < count; i++)
        free(keep[i]);
    free(keep);
    return 0;
}
