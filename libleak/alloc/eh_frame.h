/*
 * eh_frame — whether a function keeps its caller's frame pointer, from its FDE in .eh_frame.
 */
#ifndef LIBLEAK_EH_FRAME_H
#define LIBLEAK_EH_FRAME_H
#include <stdbool.h>
#include <stdint.h>

/* Whether, at return address `address`, the function holding it has its CFA in %rbp: then it
   has pushed the caller's %rbp and its return address just above where %rbp points, and the
   chain may be followed from its frame. `eh_frame_header` is the module's .eh_frame_hdr, as
   mapped (NULL: the module has none). A function without unwind information, or with
   encodings or instructions this does not know, counts as keeping none: that only costs the
   walk a fallback. */
bool libleak_eh_frame_keeps_frame_pointer(const uint8_t *eh_frame_header, uintptr_t address);

#endif
