/*
 * Unit test of alloc/thread_stack.c against this process's own threads: the bounds it gives
 * (from load-time reads for the main thread, from glibc's thread descriptor for the others)
 * must hold the caller's frame and agree with /proc/self/maps and pthread_getattr_np; on a
 * stack of the program's making (an alternate signal stack, a makecontext coroutine) it must
 * say "unknown" rather than guess.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <ucontext.h>

#include "check.h"
#include "alloc/thread_stack.h"
#include "os/proc_maps.h"

struct answer {
    bool found;
    uintptr_t low, high, here;
};

static void ask(struct answer *answer)
{
    answer->here = (uintptr_t)__builtin_frame_address(0);
    answer->found = libleak_thread_stack_find(&answer->low, &answer->high);
}

/* A thread's answer against glibc's own account of its stack. */
static void *thread_checks(void *unused)
{
    (void)unused;
    struct answer answer;
    ask(&answer);
    pthread_attr_t attributes;
    void *address;
    size_t size;
    pthread_getattr_np(pthread_self(), &attributes);
    pthread_attr_getstack(&attributes, &address, &size);
    pthread_attr_destroy(&attributes);
    CHECK(answer.found, "a thread glibc made");
    CHECK(answer.low <= answer.here && answer.here < answer.high, "holds the frame");
    CHECK(answer.high == (uintptr_t)address + size, "top %#lx, glibc says %#lx", (unsigned long)answer.high,
          (unsigned long)((uintptr_t)address + size));
    CHECK(answer.low <= (uintptr_t)address, "bottom below glibc's usable stack");
    return NULL;
}

static struct answer on_signal_stack;
static void handler(int signal)
{
    (void)signal;
    ask(&on_signal_stack);
}

static struct answer in_coroutine;
static ucontext_t coroutine, back;
static void coroutine_body(void)
{
    ask(&in_coroutine);
}

int main(void)
{
    libleak_thread_stack_init();

    struct answer answer;
    ask(&answer);
    uintptr_t start, end;
    CHECK(answer.found, "the main thread");
    CHECK(libleak_maps_find(answer.here, &start, &end) && answer.high == end, "main: top is the mapping's end");
    CHECK(answer.low <= start && answer.here < answer.high, "main: holds the frame");

    pthread_t thread;
    pthread_create(&thread, NULL, thread_checks, NULL);
    pthread_join(thread, NULL);

    /* A stack the program gave: glibc keeps its block too. */
    enum { SIZE = 256 * 1024 };
    void *given = aligned_alloc(4096, SIZE);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstack(&attributes, given, SIZE);
    pthread_create(&thread, &attributes, thread_checks, NULL);
    pthread_join(thread, NULL);
    pthread_attr_destroy(&attributes);
    free(given);

    stack_t alternate = {.ss_sp = malloc(64 * 1024), .ss_size = 64 * 1024};
    sigaltstack(&alternate, NULL);
    struct sigaction action = {.sa_handler = handler, .sa_flags = SA_ONSTACK};
    sigaction(SIGUSR1, &action, NULL);
    raise(SIGUSR1);
    CHECK(on_signal_stack.here >= (uintptr_t)alternate.ss_sp &&
                  on_signal_stack.here < (uintptr_t)alternate.ss_sp + alternate.ss_size,
          "the handler ran on the alternate stack");
    CHECK(!on_signal_stack.found, "alternate signal stack: unknown, not the thread's");

    getcontext(&coroutine);
    coroutine.uc_stack.ss_sp = malloc(64 * 1024);
    coroutine.uc_stack.ss_size = 64 * 1024;
    coroutine.uc_link = &back;
    makecontext(&coroutine, coroutine_body, 0);
    swapcontext(&back, &coroutine);
    CHECK(!in_coroutine.found, "makecontext's stack: unknown");
    return check_result("test_thread_stack");
}
