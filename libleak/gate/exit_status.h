/*
 * exit_status — the status the program's exit() was given, whoever called it (the program,
 * main's return, libc itself), for the gate's verdict: a program that failed on its own keeps
 * its status.
 */
#ifndef LIBLEAK_EXIT_STATUS_H
#define LIBLEAK_EXIT_STATUS_H

/* 0-255 once exit() or quick_exit() has started, -1 before (or when the status could not be
   learnt). */
int libleak_exit_status(void);

/* Called by our quick_exit (process/lifecycle.c), which no handler learns the status of. */
void libleak_exit_status_record(int status);

#endif
