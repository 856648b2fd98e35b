/*
 * config — the LIBLEAK_* environment variables, every one read here (config.c is the library's
 * only reader of the environment), once, by the constructor; never in secure-execution mode.
 * A malformed or out-of-range value prints one line naming the variable, the value and what is
 * used instead; the program runs on.
 *
 * A few fields are settled later by the part that knows: rate becomes 0 when the library stays
 * passive or cannot reserve its stack table (lifecycle.c), unwind.c sets frame_pointers for
 * LIBLEAK_UNWIND=auto, and dump.c falls back to USR2 or no signal when sigaction refuses one.
 */
#ifndef LIBLEAK_CONFIG_H
#define LIBLEAK_CONFIG_H
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/quantities.h" /* the syntax of every size and duration read here */

#define LIBLEAK_DEFAULT_RATE  (512 * 1024)
#define LIBLEAK_DEFAULT_DEPTH 64
#define LIBLEAK_MAX_DEPTH     256
#define LIBLEAK_DEFAULT_OUT   "libleak.%e.%p.%n.heap.pb.gz"

/* LIBLEAK_PEAK: 0, 1 (the peak profile at exit) or all (also a peak.NNNN with every snapshot). */
enum libleak_peak_mode { LIBLEAK_PEAK_OFF, LIBLEAK_PEAK_AT_EXIT, LIBLEAK_PEAK_WITH_SNAPSHOTS };

struct libleak_config {
    uint64_t rate;       /* mean bytes between samples; 1 = every allocation; 0 = off */
    int depth;           /* frames kept per stack */
    int signal;          /* signal that requests a snapshot; 0 = none */
    bool at_exit;        /* write a profile at exit */
    bool symbolize;      /* write function names and lines (else only addresses) */
    char out[PATH_MAX];  /* file name template */
    uint64_t max_stacks; /* distinct stacks kept */
    uint64_t max_memory; /* bytes of internal memory (tables) at most */
    bool frame_pointers; /* unwind by walking frame pointers instead of with libunwind */
    int unwinder;        /* LIBLEAK_UNWIND: one of enum libleak_unwinder */
    uint64_t interval;   /* seconds between periodic snapshots; 0 = none */
    /* The leak gate (gate/gate.h) */
    bool check;                  /* LIBLEAK_CHECK: exact tracking and a reachability scan at exit */
    uint64_t check_max;          /* LIBLEAK_CHECK_MAX: lost bytes allowed */
    int exitcode;                /* LIBLEAK_EXITCODE: the status of a program that leaked (0: keep) */
    bool check_possible;         /* LIBLEAK_CHECK_POSSIBLE: possibly lost bytes count too */
    bool check_verbose;          /* LIBLEAK_CHECK_VERBOSE: the summary even when nothing is reported */
    int stop_signal;             /* LIBLEAK_STOP_SIGNAL: stops threads where ptrace is refused (PWR) */
    int check_signal;            /* LIBLEAK_CHECK_SIGNAL: a leak check mid-run; 0 = none */
    bool check_profile;          /* LIBLEAK_CHECK_PROFILE, or LIBLEAK_OUT given: write the leaks profile */
    char suppressions[PATH_MAX]; /* LIBLEAK_SUPPRESSIONS: file of leak:PATTERN lines */
    unsigned file_mode;          /* permissions profiles are created with (LIBLEAK_MODE), before umask */
    char log[PATH_MAX];          /* LIBLEAK_LOG: file name template of libleak's lines; "" = stderr */
    /* What the dumper watches between snapshots (dump/watch.c and the features it polls) */
    uint64_t inuse_interval;     /* LIBLEAK_INUSE_INTERVAL: in-use growth, in bytes, per snapshot; 0 = off */
    enum libleak_peak_mode peak; /* LIBLEAK_PEAK */
    unsigned near_limit;         /* LIBLEAK_NEAR_LIMIT: percent of the tightest memory limit; 0 = off */
    uint64_t max_files;          /* LIBLEAK_MAX_FILES: ordinary snapshots kept on disk; 0 = all */
    bool thread_fold;            /* LIBLEAK_THREAD_FOLD: trailing digits of thread names become '*' */
    bool lifetimes;              /* LIBLEAK_LIFETIMES: freed blocks counted by lifetime (off in the gate) */
    /* A setting that needs the dumper thread was given, not left at its default
       (LIBLEAK_SIGNAL, LIBLEAK_INTERVAL, LIBLEAK_INUSE_INTERVAL, LIBLEAK_PEAK, LIBLEAK_NEAR_LIMIT):
       then a thread that cannot start is worth a line (dump/dumper_thread.c). */
    bool dumper_asked;
};

/* LIBLEAK_UNWIND. auto: frame pointers (validated, libunwind where they cannot be trusted) in
   exact mode, libunwind at sampling rates; unwind.c decides and sets frame_pointers. */
enum libleak_unwinder { LIBLEAK_UNWIND_AUTO, LIBLEAK_UNWIND_FP, LIBLEAK_UNWIND_LIBUNWIND };

extern struct libleak_config libleak_config;

/* Reads the environment. */
void libleak_config_load(void);

#endif
