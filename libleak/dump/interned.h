/*
 * interned — the symbolizer's own copies of the strings it hands out (paths, build IDs,
 * function and file names): one copy per distinct string, so a profile's strings stay valid
 * whatever libdw does with its own, until the module list changes and they are all dropped.
 * Dumper only, no locking.
 */
#ifndef LIBLEAK_INTERNED_H
#define LIBLEAK_INTERNED_H

/* Our own copy of text (one per distinct string); NULL for NULL or when out of memory. */
const char *libleak_intern(const char *text);

/* Frees every copy. */
void libleak_intern_forget(void);

/* Forgets the copies without freeing them (a fork child of a dump in progress: the table may
   be half updated). */
void libleak_intern_abandon(void);

#endif
