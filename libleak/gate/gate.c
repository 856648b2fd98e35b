/*
 * gate — the leak gate's entry points (gate.h): the scan at exit and the verdict.
 *
 * The gate runs from libleak's ELF destructor: preloaded, libleak.so was initialised before the
 * program and every library it loads that does not depend on libleak, so _dl_fini runs our
 * destructor after theirs; and _dl_fini itself runs after every atexit handler and C++ static
 * destructor, which were registered after it. Only libleak's own dependencies (libc, libdw, ...)
 * are finalised after us. At quick_exit it runs from the last at_quick_exit handler
 * (process/lifecycle.c). The process's exit status cannot be changed once exit() has started,
 * so a failing gate flushes stdio (what exit would do next; quick_exit would not) and ends the
 * process with _exit; a program that failed on its own keeps its status (exit_status.c).
 *
 * In order: the scan from exit()'s caller's frame up (exit_caller.c, reach.c), the loss records
 * (loss_records.c), then, once, the suppressions and the frames below main (suppressions.c,
 * start_code.c) with the totals, and the report (report.c). Only the stacks of lost blocks are
 * symbolized: a program that leaks nothing pays for the scan and nothing else.
 */
#include "gate/gate.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "alloc/own_stack.h"
#include "alloc/stacks.h"
#include "alloc/thread.h"
#include "alloc/thread_names.h"
#include "alloc/track.h"
#include "core/config.h"
#include "core/log.h"
#include "dump/dump.h"
#include "dump/dumper_thread.h"
#include "dump/profile_writer.h"
#include "dump/symbols.h"
#include "gate/check.h"
#include "gate/exit_caller.h"
#include "gate/exit_status.h"
#include "gate/loss_records.h"
#include "gate/reach.h"
#include "gate/report.h"
#include "gate/roots.h"
#include "gate/start_code.h"
#include "gate/suppressions.h"

static struct libleak_verdict gate = {.who = "leak gate"};
static bool ran;

void libleak_gate_init(void)
{
    libleak_roots_init(); /* also for the checks on demand (check.c), in any mode */
    libleak_dumper_set_check(libleak_check_on_signal);
}

/* Decides the suppressions (symbolizing only lost stacks) and the totals. Runs once per verdict:
   inside the profile's sample walk (under the dump lock, so no snapshot symbolizes meanwhile) or,
   when no profile is written, after the last dump (at exit) or under the dump lock (mid-run). */
void libleak_verdict_prepare(struct libleak_verdict *verdict)
{
    if (verdict->prepared)
        return;
    verdict->prepared = true;
    libleak_symbols_refresh();
    libleak_gate_suppressions_load();
    for (size_t i = 0; i < verdict->records.count; i++) {
        struct loss_record *record = &verdict->records.records[i];
        const struct libleak_stack *stack = libleak_stacks_get(record->stack);
        record->shown_depth = stack ? libleak_depth_without_start_code(stack) : 0;
        record->suppressed = stack && (libleak_gate_builtin_suppressed(stack) ||
                                       libleak_gate_user_suppressed(stack, record->shown_depth));
        struct totals *totals =
                record->suppressed ? &verdict->records.suppressed : &verdict->records.classes[record->class];
        totals->bytes += record->bytes;
        totals->blocks += record->blocks;
    }
    libleak_report_comments(&verdict->records, verdict->who, verdict->comments);
}

static void for_each_leak(void *context, void (*emit)(const struct libleak_profile_sample *, void *),
                          void *emit_context)
{
    struct libleak_verdict *verdict = context;
    libleak_verdict_prepare(verdict);
    for (size_t i = 0; i < verdict->records.count; i++) {
        const struct loss_record *record = &verdict->records.records[i];
        const struct libleak_stack *stack = libleak_stacks_get(record->stack);
        if (record->suppressed || !stack)
            continue;
        struct libleak_profile_sample sample = {stack->frames,
                                                record->shown_depth,
                                                {(int64_t)record->blocks, (int64_t)record->bytes,
                                                 (int64_t)record->blocks, (int64_t)record->bytes},
                                                -1, libleak_thread_name(stack->thread_name), -1};
        emit(&sample, emit_context);
    }
}

int libleak_verdict_write_profile(struct libleak_verdict *verdict, const char *special)
{
    /* The comments are filled by libleak_verdict_prepare(), which the profile's sample walk
       calls before the comments are written. */
    struct libleak_profile_source source = {for_each_leak, verdict, 0};
    const char *comments[] = {verdict->comments[0], verdict->comments[1], verdict->comments[2],
                              verdict->comments[3], NULL};
    return libleak_dump_special(special, &source, comments);
}

static void scan(const ucontext_t *registers, uintptr_t scan_from)
{
    if (!libleak_config.check || libleak_passive || libleak_config.rate != 1 || ran)
        return;
    ran = true;
    libleak_enter();
    libleak_check_refuse_from_now(); /* waits for a check in progress: one stopped world at a time */
    static struct libleak_exit_caller caller; /* its registers are roots: in memory of ours */
    libleak_exit_caller_find(registers, scan_from, &caller);
    if (!libleak_reach_scan(&gate.result, &caller)) {
        libleak_leave();
        return;
    }
    libleak_loss_records_build(&gate.result, 1, &gate.records);
    if (gate.records.count && libleak_config.check_profile)
        libleak_verdict_write_profile(&gate, "leaks");
    libleak_leave();
}

void libleak_gate_scan(const ucontext_t *registers, uintptr_t scan_from)
{
    int saved_errno = errno;
    scan(registers, scan_from);
    errno = saved_errno;
}

/* Symbolizing (libdw takes ~150 KB of stack to read a line table) and the report, run on a
   stack of ours: the exiting thread's may be 16 KiB (own_stack.h). */
static void report(void *unused)
{
    (void)unused;
    libleak_verdict_prepare(&gate);
    /* Quiet when clean, as LeakSanitizer: a test suite that compares stderr must not see us. */
    bool reported = libleak_report_records(&gate.records) > 0;
    libleak_symbols_close_files();
    if (reported || libleak_config.check_verbose)
        libleak_report_summary(&gate.records);
}

static void finish(bool flush_stdio)
{
    if (!ran || !gate.result.blocks)
        return;
    libleak_enter();
    libleak_on_own_stack(report, NULL);

    uint64_t dropped =
            atomic_load(&libleak_counters.dropped_live) + atomic_load(&libleak_counters.dropped_stacks);
    if (dropped || gate.result.truncated)
        libleak_log_report(
                "leak gate: %llu allocations were not tracked (tables full: raise LIBLEAK_MAX_MEMORY "
                "or LIBLEAK_MAX_STACKS); they were not checked",
                (unsigned long long)dropped);

    const struct totals *classes = gate.records.classes;
    uint64_t lost = classes[DEFINITELY].bytes + classes[INDIRECTLY].bytes +
                    (libleak_config.check_possible ? classes[POSSIBLY].bytes : 0);
    int status = libleak_exit_status();
    bool failed = lost > libleak_config.check_max;
    libleak_leave();
    if (!failed || libleak_config.exitcode == 0)
        return;
    char lost_text[32];
    libleak_format_count(lost_text, sizeof lost_text, lost);
    if (status != 0) {
        libleak_log_report(
                "leak gate failed: %s bytes lost (LIBLEAK_CHECK_MAX=%llu); the program's own exit status %s",
                lost_text, (unsigned long long)libleak_config.check_max,
                status < 0 ? "is unknown and is kept" : "is not 0 and is kept");
        return;
    }
    libleak_log_report("leak gate failed: %s bytes lost (LIBLEAK_CHECK_MAX=%llu); exit status %d", lost_text,
                       (unsigned long long)libleak_config.check_max, libleak_config.exitcode);
    if (flush_stdio)
        fflush(NULL); /* what exit() would still do after the destructors */
    _exit(libleak_config.exitcode);
}

void libleak_gate_finish(bool flush_stdio)
{
    int saved_errno = errno;
    finish(flush_stdio);
    errno = saved_errno;
}
