/*
 * dump — when and where profiles are written: on the snapshot signal (through a dumper
 * thread), at exit, and on libleak_dump(). Files appear whole or not at all.
 */
#ifndef LIBLEAK_DUMP_H
#define LIBLEAK_DUMP_H
#include <stdbool.h>

/* Records the starting directory and program name, starts the dumper, installs the handler.
   The dumper also calls libleak_watch_poll() (watch.c) every LIBLEAK_WATCH_POLL_MS
   while libleak_watch_active() says a watch feature is on. */
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

/* pthread_atfork child handler: fork never waits for a dump; the child makes its own state
   anew (dump lock, dumper thread) and drops what a dump in progress had half updated. */
void libleak_dump_after_fork_in_child(void);

/* Around the calls that need a single-threaded process (namespaces.c: unshare, setns): pause
   ends the dumper thread and waits until the kernel no longer counts it; resume starts a new
   one. They nest (a count); errno is kept. pause returns false, and does nothing, in a child
   of vfork or clone(CLONE_VM) that shares our memory: call resume only after a true. */
bool libleak_dump_pause_dumper(void);
void libleak_dump_resume_dumper(void);

/* namespaces.c: resolves the next unshare and setns (from the constructor). */
void libleak_namespaces_init(void);

/* Set when the library must stay passive (setuid programs, failed start): nothing is written. */
extern bool libleak_passive;

#endif
