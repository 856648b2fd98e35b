/*
 * symbolize.h — naming the frames a profile left unnamed (symbolize.c): the addresses of
 * LIBLEAK_SYMBOLIZE=0 profiles, or any profile written without names, named from the
 * binaries in place, debug files by build ID, or debuginfod.
 */
#ifndef LEAKPROF_SYMBOLIZE_H
#define LEAKPROF_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/dwarf_names.h"

/* The most frames one address names (its inlined chain). */
#define SYMBOLIZE_MAX_FRAMES 32

/* Off unless main() turns it on (the fuzz target reads no files); --no-symbolize turns it
   off again. */
extern bool symbolize_enabled;

/* --debug-dir DIR: searched as DIR/.build-id/xx/rest.debug and DIR/xx/rest.debug, after
   /usr/lib/debug and before LEAKPROF_DEBUG_DIRS. */
void symbolize_add_debug_dir(const char *dir);

/* A profile's mapping, as symbolize_address needs it. */
struct symbolize_mapping {
    const char *filename, *build_id; /* build_id: hex, as pprof writes it; "" when unknown */
    uint64_t memory_start, memory_limit, file_offset;
    int code_rank; /* how many mappings of the same file and build ID start below this one */
};

/*
 * Names ADDRESS (a location's address, inside MAPPING) into at most MAX frames, innermost
 * first; returns how many, 0 when it stays unnamed (counted, and said in one line on stderr
 * at exit, with the reason).
 */
int symbolize_address(const struct symbolize_mapping *mapping, uint64_t address, struct symbol_frame *frames,
                      int max);

/* An address without a mapping: counted as unnamed. */
void symbolize_count_unmapped(void);

#endif
