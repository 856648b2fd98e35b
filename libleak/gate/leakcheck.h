/*
 * leakcheck — the CI leak gate (LIBLEAK_CHECK=1): the program's exit status, the reachability
 * check at exit (reach.c), suppressions, the report on stderr, the .leaks profile and the exit
 * status the process ends with.
 */
#ifndef LIBLEAK_LEAKCHECK_H
#define LIBLEAK_LEAKCHECK_H
#include <stdbool.h>
#include <stdint.h>

/* Called by the constructor once the configuration is read (resolves what dlsym must find
   before the program runs). */
void libleak_check_init(void);

/* The exit sequence of the destructor, in this order:
     libleak_check_scan(scan_from)   stop the world, classify, resume; write the .leaks profile
     libleak_dump_at_exit()          (the exit profile, if any; no dump runs after it)
     libleak_check_finish()          report on stderr; may end the process with LIBLEAK_EXITCODE
   scan_from: the lowest address of the calling thread's stack that is the program's. */
void libleak_check_scan(uintptr_t scan_from);
void libleak_check_finish(void);

#endif
