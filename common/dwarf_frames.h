/*
 * dwarf_frames.h — the steps of eu-addr2line -i's walk that both symbolizers take, so that
 * the library (libleak/dump/dwarf_lookup.c, in the process) and leakprof
 * (tools/leakprof/model/dwarf_names.c, from files found by build ID) name a frame alike:
 * which scopes are functions, which function is around an inlined instance, and where that
 * instance was called. Plain libdw reads; nothing here allocates.
 */
#ifndef LIBLEAK_COMMON_DWARF_FRAMES_H
#define LIBLEAK_COMMON_DWARF_FRAMES_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stdint.h>

/* A subprogram, an inlined instance of one, or an entry point. */
bool libleak_dwarf_is_function(Dwarf_Die *die);

/* The first function among SCOPES[FROM..COUNT) (innermost first): the one around an inlined
   instance at FROM - 1. NULL when there is none. */
Dwarf_Die *libleak_dwarf_next_function(Dwarf_Die *scopes, int from, int count);

/* Where the inlined instance INLINED was called: *FILE from DW_AT_call_file through FILES
   (left as it is when unknown or FILES is NULL), *LINE from DW_AT_call_line (left as it is
   when absent). */
void libleak_dwarf_call_site(Dwarf_Die *inlined, Dwarf_Files *files, const char **file, int64_t *line);

#endif
