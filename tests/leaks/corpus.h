/* Shared by the leak corpus (tests/leaks/): helpers that keep a program's verdict independent
   of what the compiler leaves behind.

   A conservative scan (memcheck's, LeakSanitizer's, libleak's gate) sees every word of a live
   stack. A pointer a finished function left in its dead frame, or in a register, can be picked
   up again when exit() and its handlers reuse that part of the stack, and a leak would turn
   "still reachable" by chance. So every program loses its pointers inside helper functions
   and then wipes the stack below main's frame with scrub_stack(). */
#ifndef LIBLEAK_CORPUS_H
#define LIBLEAK_CORPUS_H
#include <stdlib.h>
#include <string.h>

#if defined(__clang__)
#define CORPUS_SITE __attribute__((noinline, used))
#else
#define CORPUS_SITE __attribute__((noinline, noclone, used))
#endif

/* Overwrites 16 KiB of the stack below the caller's frame with zeros, where the frames of
   earlier calls (and their stale pointers) lay. */
CORPUS_SITE static void scrub_stack(void)
{
    volatile char area[16384];
    memset((char *)area, 0, sizeof area);
    __asm__ __volatile__("" : : "r"(area) : "memory");
}

/* malloc that never returns NULL to the program: a corpus program has no error paths. */
CORPUS_SITE static void *xmalloc(size_t size)
{
    void *block = malloc(size);
    if (!block)
        abort();
    memset(block, 0, size);
    return block;
}
#endif
