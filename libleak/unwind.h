/*
 * unwind — capturing the calling thread's stack (libunwind, or the frame-pointer chain with
 * LIBLEAK_UNWIND=fp), with libleak's own frames cut.
 */
#ifndef LIBLEAK_UNWIND_H
#define LIBLEAK_UNWIND_H
#include <stdint.h>

/* Finds libleak.so's own code range and starts libunwind; called once by the constructor. */
void libleak_unwind_init(void);

/* Captures the calling thread's stack (at most depth frames) into frames, which must have room
   for depth + LIBLEAK_OWN_FRAMES entries (libleak's own frames are captured, then cut);
   returns the count. */
#define LIBLEAK_OWN_FRAMES 8
int libleak_unwind_capture(uintptr_t *frames, int depth);

#endif
