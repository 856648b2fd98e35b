/*
 * dwarf_frames.h — eu-addr2line -i's walk over the scopes around an address, which both
 * symbolizers take, so that the library (libleak/dump/dwarf_lookup.c, in the process) and
 * leakprof (tools/leakprof/model/dwarf_names.c, from files found by build ID) name a frame
 * alike (tests/cases/symbolize_same_as_library.sh). Plain libdw reads; nothing here
 * allocates; each caller keeps its own strings (the library interns them).
 */
#ifndef LIBLEAK_COMMON_DWARF_FRAMES_H
#define LIBLEAK_COMMON_DWARF_FRAMES_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stdint.h>

/* One frame of the walk. Frame 0 is the innermost function (CALL_FILE NULL, CALL_LINE 0:
   its line is the address's own). Frame k > 0 is the function around the k-th inlined
   instance (FUNCTION NULL when none is found), at that instance's call site (CALL_FILE NULL
   when unknown). */
typedef void libleak_dwarf_frame_visit(void *context, int index, Dwarf_Die *function, const char *call_file,
                                       int64_t call_line);

/*
 * Walks SCOPES (innermost first, COUNT of them, in UNIT) and visits at most MAX frames.
 * Returns how many were visited: 0 when no scope is a function. *COMPLETE says whether the
 * last one is the outermost function (deeper chains are cut at MAX, the innermost kept).
 */
int libleak_dwarf_frames(Dwarf_Die *unit, Dwarf_Die *scopes, int count, int max, bool *complete,
                         libleak_dwarf_frame_visit *visit, void *context);

#endif
