/*
 * symbols — what the profile says about code: the mappings of the process (path, offsets,
 * GNU build ID) and, for each return address, the function names, files and lines (inlined
 * frames included) from the symbol tables and DWARF of the mapped files.
 *
 * Called only under the dump lock (dump.c), with the "inside libleak" flag set: it allocates
 * freely; the loader's lock is taken before the dump lock, in libleak_symbols_prepare. The answers are cached between dumps and thrown away when
 * the loader's dlpi_adds/dlpi_subs counters say the set of modules changed. The libdwfl session
 * they come from is not: it lasts one dump (libleak_symbols_close_files), because libleak
 * holds no descriptor of the program's between dumps (docs/ARCHITECTURE.md).
 */
#ifndef LIBLEAK_SYMBOLS_H
#define LIBLEAK_SYMBOLS_H
#include <stdbool.h>
#include <stdint.h>

struct libleak_mapping {
    uint64_t start;       /* first byte of the executable segment in memory */
    uint64_t limit;       /* one past its last byte */
    uint64_t file_offset; /* offset in the file that start corresponds to */
    const char *path;     /* absolute path; the main program's from /proc/self/exe */
    const char *build_id; /* GNU build ID in lowercase hex, "" when the file has none */
    bool has_functions;   /* set once a lookup found a function name in this mapping */
    bool has_filenames;
    bool has_line_numbers;
    bool has_inline_frames;
};

struct libleak_line {
    const char *function;    /* demangled name when possible, NULL when unknown */
    const char *system_name; /* the symbol as in the file (mangled), NULL when unknown */
    const char *file;        /* source file, NULL when no line information */
    int64_t line;            /* 0 when unknown */
};

#define LIBLEAK_MAX_INLINE 8

/* Re-reads the module list when the loader's counters changed (or on the first call).
   Returns 0, or -1 when nothing could be read. */
int libleak_symbols_refresh(void);

/* The mappings found by the last refresh; index 0 is the main executable. */
int libleak_symbols_mapping_count(void);
struct libleak_mapping *libleak_symbols_mapping(int index);

/* Describes the instruction at pc (callers pass a return address minus one, so the line is the
   call's). Sets *mapping_index (-1 when pc is in no known mapping). With symbolize false only
   the mapping is found. Fills at most max lines, innermost (inlined) first, and returns how
   many (0 when nothing is known). Strings stay valid until the next refresh that changes the
   module list. */
int libleak_symbols_lookup(uint64_t pc, bool symbolize, struct libleak_line *lines, int max,
                           int *mapping_index);

/* As libleak_symbols_lookup, but answers only from what earlier lookups cached (0 lines for a
   pc never symbolized): needs no memory, for a dump close to a memory limit. */
int libleak_symbols_lookup_cached(uint64_t pc, struct libleak_line *lines, int max, int *mapping_index);

/* Ends the libdwfl session, closing the files libdw opened (the program may close or reuse
   descriptor numbers between dumps); the answers cached per pc stay. Every dump calls it. The
   next lookup of a new pc opens a session again and re-reads the symbol tables of the modules
   it touches: tests/bench/redump measured ~110 ms instead of ~20 ms for a dump with new
   addresses in the program and libc, and ~1 ms either way for a dump with none. */
void libleak_symbols_close_files(void);

/* Everything that takes the loader's lock, done with no lock of ours held, before a dump takes
   its lock: libstdc++'s demangler (dlsym, when symbolizing) and a copy of the module list
   (dl_iterate_phdr) that this thread's refreshes then install. release_prepared frees the
   copy once the dump lock is released. */
void libleak_symbols_prepare(bool symbolize);
void libleak_symbols_release_prepared(void);

/* A dump done for the program on a thread of ours (libleak_dump): the program's thread, which
   may hold the loader's lock (libleak_dump from a dl_iterate_phdr callback; the lock is
   recursive for it alone), prepares and takes what it prepared; our thread adopts it, and its
   next libleak_symbols_prepare then takes no loader lock. */
void *libleak_symbols_prepare_to_hand_over(bool symbolize);
void libleak_symbols_adopt_prepared(void *prepared);

/* In a fork child whose parent was in the middle of a dump: the state may be half updated, so
   it is dropped without being freed or closed (a child's small leak, never a crash). */
void libleak_symbols_abandon(void);

#endif
