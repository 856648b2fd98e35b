/*
 * attach — `libleak -p PID [--dump | --detach]` (attach.c).
 */
#ifndef LIBLEAK_LAUNCHER_ATTACH_H
#define LIBLEAK_LAUNCHER_ATTACH_H
#include <stdbool.h>
#include <sys/types.h>

/* Loads `library` into process pid and starts it with --rate/--out (NULL: defaults), or sends
   it `command` ("dump", "detach"). Prints what happened; returns the wrapper's exit status. */
int libleak_attach(pid_t pid, const char *library, const char *rate, const char *out, const char *command,
                   bool verbose);
#endif
