/*
 * mappings — the process's code as the profile names it: every loaded object's executable
 * segments, with the object's path and GNU build ID, read from the loader's module list
 * (libleak_modules_iterate: dl_iterate_phdr, or without the loader's lock in a fork child that
 * may have inherited it held) and indexed by address.
 *
 * modules.c keeps another view of the same modules, for the unwinder on the allocation path:
 * code ranges only, lock-free and without allocation. This one is the dumper's: it allocates,
 * names files and is rebuilt only when the loader's dlpi_adds/dlpi_subs counters say the
 * module list changed.
 */
#ifndef LIBLEAK_MAPPINGS_H
#define LIBLEAK_MAPPINGS_H
#include <stdbool.h>
#include <stdint.h>

#include "dump/symbols.h"

/* One loaded object, as dl_iterate_phdr reports it. Its executable segments become mappings. */
struct libleak_object {
    uint64_t bias; /* dlpi_addr: what the loader added to the file's vaddrs */
    const char *path;
    const char *file; /* what libdwfl opens: path, or /proc/self/exe for the main program,
                             the very file that runs even if path changed */
    bool is_vdso;     /* no file to read: mapped but never symbolized */
    bool has_code;    /* it has an executable segment, starting at first_start */
    uint64_t first_start;
};

/* Copies the loader's module list for this thread's next refreshes: called before the dump
   lock is taken, because reading the list takes the loader's lock and no lock of ours may be
   held then. release frees the copy (after the dump lock is released). */
void libleak_mappings_prepare(void);
void libleak_mappings_release_prepared(void);

/* The prepared copy leaves this thread (NULL when there is none), or another's is adopted. */
void *libleak_mappings_take_prepared(void);
void libleak_mappings_adopt_prepared(void *prepared);

/* Re-reads the module list when the loader's counters changed (or on the first call), from
   the prepared copy when there is one.
   Returns 0 when nothing changed, 1 when the list was read anew (everything handed out before
   is gone, interned strings included), -1 when nothing could be read. */
int libleak_mappings_refresh(void);

/* False until a refresh succeeded. */
bool libleak_mappings_known(void);

int libleak_mappings_count(void);
struct libleak_mapping *libleak_mappings_get(int index);

/* The mapping holding pc, -1 when none does, or when pc lies in a module the stacks saw that
   has been unloaded or replaced since (modules.h): such frames stay unnamed rather than take
   the names of what is mapped there now. */
int libleak_mappings_find(uint64_t pc);

int libleak_mappings_object_count(void);
const struct libleak_object *libleak_mappings_object(int index);
/* The object a mapping belongs to. */
int libleak_mappings_object_of(int mapping);

/* Forgets the list without freeing it (a fork child taken in the middle of a dump). */
void libleak_mappings_abandon(void);

#endif
