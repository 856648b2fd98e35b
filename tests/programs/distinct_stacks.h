/* distinct_stacks.h — grow(DEPTH, PATH): a malloc(64) reached through DEPTH frames of left()
   and right() chosen by the bits of PATH, so that 2^DEPTH paths give as many distinct stacks
   (the profile's and the stack table's load). Each frame stays on the stack: no tail calls. */
#ifndef LIBLEAK_TEST_DISTINCT_STACKS_H
#define LIBLEAK_TEST_DISTINCT_STACKS_H
#include <stdlib.h>

__attribute__((noinline)) static void *grow(int depth, unsigned path);
__attribute__((noinline)) static void *left(int depth, unsigned path)
{
    void *p = grow(depth, path);
    __asm__ volatile("" ::: "memory"); /* no tail call: the frame stays on the stack */
    return p;
}
__attribute__((noinline)) static void *right(int depth, unsigned path)
{
    void *p = grow(depth, path);
    __asm__ volatile("" ::: "memory");
    return p;
}
__attribute__((noinline)) static void *grow(int depth, unsigned path)
{
    if (depth == 0)
        return malloc(64);
    return (path & 1) ? left(depth - 1, path >> 1) : right(depth - 1, path >> 1);
}
#endif
