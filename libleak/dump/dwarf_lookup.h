/*
 * dwarf_lookup — names, files and lines of a pc from the files' symbol tables and DWARF
 * (libdwfl). The dumper's; see dwarf_lookup.c for the costs it avoids.
 */
#ifndef LIBLEAK_DWARF_LOOKUP_H
#define LIBLEAK_DWARF_LOOKUP_H
#include <stdint.h>

#include "dump/symbols.h"

/* Fills at most max lines for pc, which lies in the object of that index in the mapping list
   (mappings.h), innermost (inlined) first; returns how many. Opens the object's files on
   first use in a session. */
int libleak_dwarf_describe(uint64_t pc, int object_index, struct libleak_line *lines, int max);

/* The mapping list changed: objects are reported to libdwfl again before the next lookup. */
void libleak_dwarf_forget_modules(void);

/* Ends the libdwfl session, closing every file libdw opened. */
void libleak_dwarf_end(void);

/* A fork child of a dump in progress: forgets the session without touching it. */
void libleak_dwarf_abandon(void);

/* Looks up libstdc++'s demangler with dlsym (the loader's lock: no lock of ours may be held). */
void libleak_dwarf_find_demangler(void);

#endif
