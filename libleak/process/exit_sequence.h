/*
 * exit_sequence — the exit sequence (the peak and exit profiles, the leak gate) runs once, to
 * its end, while exit() keeps glibc's own behaviour when several threads call it.
 */
#ifndef LIBLEAK_EXIT_SEQUENCE_H
#define LIBLEAK_EXIT_SEQUENCE_H

/* The constructor's call, before main: puts the hold handlers below the loader's finalizer. */
void libleak_exit_sequence_init(void);

/* The destructor's calls around the sequence. */
void libleak_exit_sequence_begin(void);
void libleak_exit_sequence_end(void);

/* exit()'s call before glibc's exit: waits while the sequence runs, or is about to, on another
   thread of this process; returns at once otherwise. */
void libleak_exit_sequence_wait(void);

#endif
