/* register_at_exit: main holds a 2,500-byte block only in register r14 (callee-saved) while
   it calls a function that calls exit(). Below exit()'s caller lie the exit machinery's
   frames, which saved r14 on their way: a scan that starts at the caller's frame and reads
   no registers misses it (as optimised code that keeps a pointer in a register across a call
   that exits would make it). memcheck: still reachable. x86-64. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include "corpus.h"

CORPUS_SITE static void *make_block(void)
{
    return xmalloc(2500);
}

CORPUS_SITE static void finish(void)
{
    scrub_stack();
    exit(0);
}

int main(void)
{
#if defined(__x86_64__)
    register void *held __asm__("r14") = make_block();
    __asm__ volatile("" : : "r"(held));
    finish();
    __asm__ volatile("" : : "r"(held));
#else
    static void *volatile held;
    held = make_block();
    finish();
#endif
    return 0;
}
