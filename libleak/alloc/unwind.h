/*
 * unwind — capturing the calling thread's stack (the validated frame-pointer chain, libunwind,
 * or the first with the second where the chain cannot be trusted), with libleak's own frames cut.
 */
#ifndef LIBLEAK_UNWIND_H
#define LIBLEAK_UNWIND_H
#include <stddef.h>
#include <stdint.h>

/* Finds libleak.so's own code range and starts libunwind; called once by the constructor. */
void libleak_unwind_init(void);

/* Captures the calling thread's stack (at most depth frames) into frames, which must have room
   for depth + LIBLEAK_OWN_FRAMES entries (libleak's own frames are captured, then cut);
   returns the count. */
#define LIBLEAK_OWN_FRAMES 8
int libleak_unwind_capture(uintptr_t *frames, int depth);

/* One line for the profile's comments: how many stacks each walker captured, how many fell back
   from frame pointers to libunwind and how many were left short. */
void libleak_unwind_describe(char *text, size_t size);

#endif
