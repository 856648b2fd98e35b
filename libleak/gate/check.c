/*
 * check — leak checks on demand, mid-run (check.h): the exit gate's scan without the exit.
 *
 * A check runs on a thread of ours: the dumper thread for LIBLEAK_CHECK_SIGNAL (the handler
 * only posts its semaphore, dumper_thread.c), or a thread started for a libleak_check_now()
 * call while the caller waits in pthread_join, so that the caller is stopped and scanned like
 * every other thread of the program and a file of ours never takes a descriptor number of the
 * program's (as libleak_dump() does, dump.c). There, in order: stop the world, scan and
 * classify (reach.c: nothing but the scan happens while the world is stopped), resume; then,
 * with the program running again, group the loss records, write the profile and the report.
 * Nothing of the exit gate's state is touched, and the world the exit gate stops is never
 * stopped twice: one check at a time, and none once the exit gate has begun.
 *
 * Exact mode (LIBLEAK_RATE=1, LIBLEAK_CHECK=1): every block, memcheck's four classes, as at exit.
 * Sampled mode: the live table holds the sampled blocks only. The heap is read as raw words
 * (reach.h), so a sampled block is lost only when no word of the program's writable memory
 * outside it points to it or into it: not the data and bss, not a stack or a register, not any
 * heap word, even one in a block that is lost itself. A verdict that can never call a
 * reachable block lost; it finds the roots of lost structures (a block only a lost block points
 * to is kept). The bytes and blocks are estimates, each sample counted with its weight.
 */
#include "gate/check.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/thread.h"
#include "core/config.h"
#include "core/export.h"
#include "core/log.h"
#include "dump/dump.h"
#include "gate/gate.h"
#include "os/descriptors.h"

static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned sequence;             /* under check_lock: the checks so far */
static bool refused;                  /* under check_lock: the exit gate has begun */
static struct libleak_verdict verdict; /* under check_lock: large, mapped blocks inside */

void libleak_check_refuse_from_now(void)
{
    pthread_mutex_lock(&check_lock);
    refused = true;
    pthread_mutex_unlock(&check_lock);
}

void libleak_check_after_fork_in_child(void)
{
    pthread_mutex_init(&check_lock, NULL);
    sequence = 0;
}

static void report(void *context)
{
    unsigned number = *(const unsigned *)context;
    libleak_verdict_prepare(&verdict);
    const struct libleak_reach_result *result = &verdict.result;
    bool sampled = libleak_config.rate != 1;
    /* What the stopped world read: the roots, and in exact mode the blocks too (the flood reads
       the reachable ones, the cliques the rest); sampled blocks lie inside the heap's roots. */
    uint64_t scanned = result->root_bytes;
    for (size_t i = 0; !sampled && i < result->count; i++)
        scanned += result->blocks[i].size;
    double mib = (double)scanned / (1 << 20), millis = (double)result->pause_nanos / 1e6;
    libleak_log_report("leak check %u (mid-run): %zu %s blocks checked; the world stopped for %.1f ms, "
                       "%.1f MiB scanned (%.0f ms per GiB)",
                       number, result->count, sampled ? "sampled" : "live", millis, mib,
                       mib > 0 ? millis * 1024 / mib : 0.0);
    if (sampled)
        libleak_log_report("leak check %u: sampled at LIBLEAK_RATE=%llu: bytes and blocks are estimates; a block "
                           "is lost when no word of the program's memory points to it",
                           number, (unsigned long long)libleak_config.rate);
    libleak_report_records(&verdict.records);
    libleak_report_summary(&verdict.records);
}

/* One check, on a thread of ours inside libleak. Returns the definitely and indirectly lost
   bytes, or -errno. */
static long run_check(void)
{
    if (libleak_passive || libleak_config.rate == 0)
        return -EPERM;
    pthread_mutex_lock(&check_lock);
    if (refused) {
        pthread_mutex_unlock(&check_lock);
        return -ESHUTDOWN;
    }
    unsigned number = ++sequence;
    char who[32], special[32];
    snprintf(who, sizeof who, "leak check %u", number);
    snprintf(special, sizeof special, "check.%04u", number);
    memset(&verdict, 0, sizeof verdict);
    verdict.who = who;
    long lost = -ENOMEM;
    if (!libleak_reach_scan(&verdict.result, NULL)) {
        libleak_log("leak check %u: no memory for the scan", number);
    } else if (verdict.result.heap_unscanned) {
        libleak_log("leak check %u: the heap cannot be read whole (not glibc's malloc, a thread of libleak "
                    "not found, or too many pieces): no verdict on sampled blocks",
                    number);
        lost = -ENOTSUP;
    } else {
        libleak_loss_records_build(&verdict.result, libleak_config.rate, &verdict.records);
        if (libleak_config.check_profile)
            libleak_verdict_write_profile(&verdict, special);
        libleak_dump_with_lock(report, &number); /* the symbolizer is the dumpers' */
        if (verdict.prepared) {
            const struct totals *classes = verdict.records.classes;
            lost = (long)(classes[DEFINITELY].bytes + classes[INDIRECTLY].bytes);
        } else {
            lost = -ESHUTDOWN; /* the program began to exit meanwhile */
        }
    }
    free(verdict.records.records);
    libleak_reach_release(&verdict.result);
    pthread_mutex_unlock(&check_lock);
    return lost;
}

void libleak_check_on_signal(void)
{
    run_check();
}

struct check_call {
    long result;
};

static void *check_thread_main(void *context)
{
    struct check_call *call = context;
    libleak_enter();
    pthread_setname_np(pthread_self(), "libleak-check"); /* stop_world.c leaves our threads alone */
    libleak_descriptors_own_table();
    call->result = run_check();
    libleak_leave();
    return NULL;
}

EXPORT long libleak_check_now(void)
{
    if (libleak_passive || libleak_config.rate == 0)
        return -EPERM;
    int saved_errno = errno;
    sigset_t all, previous;
    sigfillset(&all); /* no signal of the program's lands on our thread */
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 1 << 20); /* the scan runs on it */
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    libleak_enter(); /* what pthread_create allocates is ours */
    struct check_call call = {-EAGAIN};
    pthread_t thread;
    int error = pthread_create(&thread, &attributes, check_thread_main, &call);
    libleak_leave();
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    pthread_attr_destroy(&attributes);
    if (error) {
        errno = saved_errno;
        return -error;
    }
    int cancel_state; /* pthread_join is a cancellation point: not while our thread runs */
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    pthread_join(thread, NULL);
    pthread_setcancelstate(cancel_state, NULL);
    errno = saved_errno;
    return call.result;
}
