/*
 * exit_status — the status the program's exit() was given, whoever called it (the program,
 * main's return, libc itself), for the gate's verdict: a program that failed on its own keeps
 * its status.
 */
#ifndef LIBLEAK_EXIT_STATUS_H
#define LIBLEAK_EXIT_STATUS_H

/* 0-255 once exit() has started, -1 before (or when the status could not be learnt). */
int libleak_exit_status(void);

#endif
