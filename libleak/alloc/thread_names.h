/*
 * thread_names — the name of the thread that allocated a sample: the pprof label `thread`.
 *
 * Names are interned (ids 1, 2, ... in a small table, lock-free), so that a sample's stack
 * record keeps a 32-bit id rather than 16 bytes. Each thread caches its name's id. Names are
 * learnt where they are given (pthread_setname_np and prctl(PR_SET_NAME) are interposed), never
 * read back with a system call; the sampling path looks again only when another thread was
 * renamed since (a global generation): thread_names.c says how.
 */
#ifndef LIBLEAK_THREAD_NAMES_H
#define LIBLEAK_THREAD_NAMES_H
#include <stdint.h>

/* At most this many distinct names; beyond it the id of "other" is given (and counted). */
#define LIBLEAK_THREAD_NAMES_MAX 512
#define LIBLEAK_THREAD_NAME_OTHER 0 /* "other": the table is full, or the name could not be read */

/* The calling thread's name id. No system call, no lock: for the sampling path. */
uint32_t libleak_thread_name_current(void);

/* The name of an id ("other" for LIBLEAK_THREAD_NAME_OTHER or an unknown id). */
const char *libleak_thread_name(uint32_t id);

/* Names that went to "other" because the table was full. */
uint64_t libleak_thread_names_folded(void);

#endif
