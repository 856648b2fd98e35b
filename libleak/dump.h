/*
 * dump — when and where profiles are written: on the snapshot signal (through a dumper
 * thread), at exit, and on libleak_dump(). Files appear whole or not at all.
 */
#ifndef LIBLEAK_DUMP_H
#define LIBLEAK_DUMP_H
#include <stdbool.h>

/* Records the starting directory and program name, starts the dumper, installs the handler. */
void libleak_dump_init(void);

/* Writes a profile to path, or to the next name from LIBLEAK_OUT when path is NULL.
   Returns 0, or -1 with errno set (a line on stderr says what failed). */
int libleak_dump_now(const char *path);

/* Writes a profile of the given samples (NULL: the stack table) to the name LIBLEAK_OUT gives
   with %n replaced by `special` ("leaks", "peak", ...), with up to
   LIBLEAK_PROFILE_EXTRA_COMMENTS extra comment lines (NULL-terminated list, or NULL). Does
   not advance the sequence of ordinary snapshots. Returns 0, or -1 with errno set. */
struct libleak_profile_source;
int libleak_dump_special(const char *special, const struct libleak_profile_source *source,
                         const char *const *comments);

/* Runs work under the dump lock (the symbolizer is the dumpers' alone), unless exiting. */
void libleak_dump_with_lock(void (*work)(void *context), void *context);

void libleak_dump_at_exit(void);

/* pthread_atfork handlers: no dump may be half done across fork. */
void libleak_dump_before_fork(void);
void libleak_dump_after_fork_in_parent(void);
void libleak_dump_after_fork_in_child(void);

/* Set when the library must stay passive (setuid programs, failed start): nothing is written. */
extern bool libleak_passive;

#endif
