/*
 * gate — the leak gate (LIBLEAK_CHECK=1; its switches: LIBLEAK_CHECK, LIBLEAK_CHECK_MAX,
 * LIBLEAK_CHECK_POSSIBLE, LIBLEAK_EXITCODE, LIBLEAK_SUPPRESSIONS; the wrapper's --check): exact
 * tracking, the reachability scan at exit (reach.h), suppressions, the report on stderr in
 * memcheck's words, the .leaks profile and the exit status the process ends with.
 *
 * These are its entry points, called by process/lifecycle.c; each keeps errno as it found it.
 */
#ifndef LIBLEAK_GATE_H
#define LIBLEAK_GATE_H
#include <stdbool.h>
#include <stdint.h>
#include <ucontext.h>

#include "gate/loss_records.h"
#include "gate/reach.h"
#include "gate/report.h"

/* Called by the constructor once the configuration is read (resolves what dlsym must find
   before the program runs). */
void libleak_gate_init(void);

/* The exit sequence of the destructor (or of quick_exit's last handler), in this order:
     libleak_gate_scan(registers, scan_from)   stop the world, classify, resume; write the .leaks profile
     libleak_dump_at_exit()         (the exit profile, if any; no dump runs after it)
     libleak_gate_finish(flush)     report on stderr; may end the process with LIBLEAK_EXITCODE
                                    (after fflush(NULL) when flush: exit() would flush, quick_exit not)
   all three on the library's stack (own_stack.h). registers: getcontext() taken on the
   exiting thread's stack; scan_from: the lowest address of that stack that is the program's. */
void libleak_gate_scan(const ucontext_t *registers, uintptr_t scan_from);
void libleak_gate_finish(bool flush_stdio);

/* One scan's verdict, at exit or mid-run (check.c): the blocks, their loss records, and once
   prepared (suppressions decided, stacks symbolized, totals summed) the profile's comments. */
struct libleak_verdict {
    const char *who; /* "leak gate", "leak check 3": the comments' first words */
    struct libleak_reach_result result;
    struct loss_records records;
    bool prepared;
    char comments[LIBLEAK_REPORT_COMMENTS][160];
};

/* Decides suppressions and totals, once; under the dump lock (the symbolizer is the dumpers'). */
void libleak_verdict_prepare(struct libleak_verdict *verdict);

/* Writes the lost blocks as a profile named with %n = special ("leaks", "check.0003"). */
int libleak_verdict_write_profile(struct libleak_verdict *verdict, const char *special);

#endif
