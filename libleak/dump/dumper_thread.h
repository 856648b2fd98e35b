/*
 * dumper_thread — libleak's thread that writes snapshots (on the snapshot signal, every
 * LIBLEAK_INTERVAL) and polls the watch. libleak_dump_pause_dumper / resume_dumper are
 * declared in dump.h.
 */
#ifndef LIBLEAK_DUMPER_THREAD_H
#define LIBLEAK_DUMPER_THREAD_H
#include <stdbool.h>

/* Starts the dumper when a feature needs it and installs the snapshot signal's handler. */
void libleak_dumper_init(void);

/* A snapshot, as the snapshot signal asks (process/attach.c: `libleak -p PID --dump`). False
   when no dumper thread runs. */
bool libleak_dumper_request(void);

/* The leak check LIBLEAK_CHECK_SIGNAL asks for (gate/check.c, a layer above: it hands its
   entry point down), run on the dumper thread. Set before libleak_dumper_init. */
void libleak_dumper_set_check(void (*run_check)(void));

/* pthread_atfork child handler's part: a dumper of the child's own. */
void libleak_dumper_after_fork_in_child(void);

#endif
