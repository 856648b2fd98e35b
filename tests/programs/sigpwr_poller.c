/*
 * sigpwr_poller: a program that takes SIGPWR itself (a UPS daemon's power-failure notice) and
 * polls for it: every thread blocks it, and a worker computes in slices of about a millisecond,
 * calling sigtimedwait(SIGPWR) with no wait between them; a SIGPWR that comes makes it write
 * "power notice" on stdout. The worker holds 700 bytes only in a local while it works; main
 * loses 321 bytes, then returns while the worker runs.
 *
 * Under the leak gate with ptrace refused, a thread is stopped with the gate's stop signal,
 * SIGPWR by default: this worker blocks it and is running, so it is not stopped, and the
 * SIGPWR sent to it stays pending until its next sigtimedwait takes it — the program sees a
 * power notice that never happened. With LIBLEAK_STOP_SIGNAL naming a signal it does not
 * block, it is stopped like any thread and sees nothing (tests/cases/gate_stop_signal.sh).
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "site.h"
#include "scrub_stack.h"

static volatile int started;
static volatile unsigned long sink;

SITE void lose_block(void)
{
    void *volatile block = malloc(321);
    memset(block, 1, 321);
    block = NULL;
}

static int64_t now_nanos(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static void *worker(void *unused)
{
    (void)unused;
    void *volatile held = malloc(700);
    memset(held, 2, 700);
    sigset_t power;
    sigemptyset(&power);
    sigaddset(&power, SIGPWR);
    struct timespec no_wait = {0, 0};
    __atomic_store_n(&started, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        for (int64_t end = now_nanos() + 1000000; now_nanos() < end;)
            sink++;
        if (sigtimedwait(&power, NULL, &no_wait) == SIGPWR) {
            static const char line[] = "power notice\n";
            write(1, line, sizeof line - 1);
        }
    }
    return (void *)held;
}

int main(void)
{
    sigset_t power;
    sigemptyset(&power);
    sigaddset(&power, SIGPWR);
    pthread_sigmask(SIG_BLOCK, &power, NULL); /* inherited by the worker */
    pthread_t thread;
    if (pthread_create(&thread, NULL, worker, NULL))
        abort();
    while (!__atomic_load_n(&started, __ATOMIC_SEQ_CST))
        usleep(1000);
    lose_block();
    scrub_stack();
    return 0;
}
