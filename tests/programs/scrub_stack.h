/* scrub_stack(): wipes SCRUB_STACK_BYTES (64 KiB unless the program defines less, for a small
   stack) of the stack below its caller, so that no stale pointer to a dropped block stays in a
   dead frame for the leak gate's scan to find. explicit_bzero and the empty asm keep the
   compiler from dropping a store to a dead local. */
#ifndef LIBLEAK_TEST_SCRUB_STACK_H
#define LIBLEAK_TEST_SCRUB_STACK_H
#include <string.h>

#include "site.h"

#ifndef SCRUB_STACK_BYTES
#define SCRUB_STACK_BYTES (64 * 1024)
#endif

SITE static void scrub_stack(void)
{
    char area[SCRUB_STACK_BYTES];
    explicit_bzero(area, sizeof area);
    __asm__ volatile("" ::"r"(area) : "memory");
}
#endif
