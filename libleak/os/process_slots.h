/*
 * process_slots — how many more processes and threads the real user may start before
 * RLIMIT_NPROC refuses one: the question to ask before a thread of ours takes one of the
 * program's slots (dump/dumper_thread.c).
 */
#ifndef LIBLEAK_PROCESS_SLOTS_H
#define LIBLEAK_PROCESS_SLOTS_H
#include <stdbool.h>
#include <stdint.h>

struct libleak_process_slots {
    uint64_t limit;   /* RLIMIT_NPROC's soft limit; UINT64_MAX when none binds */
    uint64_t used;    /* the real user's tasks now (counted), or an upper bound (not counted) */
    bool counted;     /* used was counted in /proc; else it is the system's task count */
};

/* Fills slots and returns how many more tasks may start: UINT64_MAX when no limit binds
   (infinite, or not enforced: root, CAP_SYS_RESOURCE, CAP_SYS_ADMIN in the initial user
   namespace). The cheap answer first: when the whole system has fewer than limit - wanted
   tasks, no scan of /proc is made and the answer is a lower bound that is at least wanted. */
uint64_t libleak_process_slots_free(uint64_t wanted, struct libleak_process_slots *slots);

/* Parsers, apart from the reads for unit tests: /proc/loadavg's task count ("... 2/345 6789"),
   and a status file's real uid and thread count. */
bool libleak_loadavg_tasks(const char *loadavg, uint64_t *tasks);
bool libleak_status_uid_threads(const char *status, unsigned *real_uid, uint64_t *threads);

#endif
