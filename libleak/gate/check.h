/*
 * check — leak checks on demand, while the program runs: on LIBLEAK_CHECK_SIGNAL (through the
 * dumper thread) and on libleak_check_now() (include/libleak.h). Each check stops the world,
 * scans (reach.h), resumes, then writes its report and its profile (%n = check.NNNN).
 */
#ifndef LIBLEAK_CHECK_H
#define LIBLEAK_CHECK_H

/* The check the dumper runs for LIBLEAK_CHECK_SIGNAL, on its own thread. */
void libleak_check_on_signal(void);

/* The exit gate: waits for a check in progress, then refuses new ones (ESHUTDOWN). */
void libleak_check_refuse_from_now(void);

/* pthread_atfork child handler's part: a check in progress on another thread never ends in the
   child, so its lock is made anew; the child's checks count from 1. */
void libleak_check_after_fork_in_child(void);

#endif
