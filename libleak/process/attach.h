/*
 * attach — what libleak.so answers the wrapper's `libleak -p PID` (tools/launcher/attach.c),
 * which calls these two exported functions in the process it attaches to.
 */
#ifndef LIBLEAK_ATTACH_H
#define LIBLEAK_ATTACH_H
#include <stdbool.h>

/* The answers of libleak_attach_start and libleak_attach_command. */
enum libleak_attach_answer {
    LIBLEAK_ATTACH_DONE = 0,
    LIBLEAK_ATTACH_DONE_NO_SIGNAL = 1, /* started; the program handles the snapshot signal itself */
    LIBLEAK_ATTACH_ALREADY = 2,        /* start: already attached */
    LIBLEAK_ATTACH_NOT_ATTACHED = 3,   /* dump, detach: not attached */
    LIBLEAK_ATTACH_PRELOADED = 4,      /* the library was preloaded: it profiles already */
    LIBLEAK_ATTACH_REFUSED = 5,        /* a setting the library cannot use, or an unknown command */
    LIBLEAK_ATTACH_CANNOT_START = 6,   /* no allocator, no room for the tables */
    LIBLEAK_ATTACH_STARTING = 7,       /* start: under way on a thread of the library's; the
                                          answer will be in libleak_attach_state */
};

/* Settings: "NAME=VALUE" lines of LIBLEAK_* variables, standing in for the environment.
   Answers LIBLEAK_ATTACH_STARTING when the work goes on on a thread of ours. */
int libleak_attach_start(const char *settings);
/* The last start's answer, LIBLEAK_ATTACH_STARTING while it runs: read by the wrapper. */
extern volatile int libleak_attach_state;
/* "dump" (a snapshot, written by the dumper thread) or "detach". */
int libleak_attach_command(const char *command);

/* True when the library was loaded by dlopen (an attach) rather than preloaded: the
   constructor then does nothing until libleak_attach_start. */
bool libleak_attach_loaded_late(void);
/* True when loaded late and not attached now: the destructor writes nothing. */
bool libleak_attach_idle(void);

/* lifecycle.c: what the constructor does when preloaded (config, tables, dumper thread,
   snapshot signal), run by the first libleak_attach_start. False when the library stays
   passive. */
bool libleak_lifecycle_start(void);
#endif
