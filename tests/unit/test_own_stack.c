/*
 * test_own_stack — libleak/alloc/own_stack.c: work that needs far more stack than the calling
 * thread has (300 KB from a thread with a 16 KiB stack) runs on the library's stack; a
 * backtrace taken there continues into the caller's frames and ends; a signal handled there
 * returns into the work; a second user at the same time gets a stack of its own; nesting
 * stays on the stack it is on.
 */
#include "alloc/own_stack.h"
#include "check.h"

#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

static volatile sig_atomic_t handled;
static void on_signal(int signal)
{
    (void)signal;
    handled++;
}

/* Uses bytes of stack, so that a 16 KiB thread stack would overflow. */
static __attribute__((noinline)) unsigned use_stack(size_t bytes)
{
    volatile char block[64 * 1024];
    memset((char *)block, 1, sizeof block);
    unsigned sum = block[bytes % sizeof block];
    if (bytes > sizeof block)
        sum += use_stack(bytes - sizeof block);
    return sum;
}

struct work_report {
    uintptr_t frame; /* an address on the stack the work ran on */
    int frames;      /* backtrace() depth from inside the work */
    bool saw_caller; /* the backtrace reached the function that switched stacks */
    unsigned used;
};

static void *thread_main(void *unused);

static void work(void *context)
{
    struct work_report *report = context;
    report->frame = (uintptr_t)__builtin_frame_address(0);
    report->used = use_stack(300 * 1024) + 1;
    raise(SIGUSR1); /* the handler runs on this stack and returns here */
    void *frames[64];
    report->frames = backtrace(frames, 64);
    /* thread_main's call of libleak_on_own_stack: its return address is a few dozen bytes
       into thread_main (a small function). */
    for (int i = 0; i < report->frames; i++)
        if ((uintptr_t)frames[i] > (uintptr_t)thread_main && (uintptr_t)frames[i] < (uintptr_t)thread_main + 256)
            report->saw_caller = true;
}

static struct work_report thread_report;

static __attribute__((noinline)) void *thread_main(void *unused)
{
    (void)unused;
    libleak_on_own_stack(work, &thread_report);
    return NULL;
}

static pthread_t start_small_thread(void *(*function)(void *), void *argument)
{
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    CHECK(pthread_attr_setstacksize(&attributes, 16384) == 0, "a 16 KiB stack");
    pthread_t thread;
    CHECK(pthread_create(&thread, &attributes, function, argument) == 0, "thread started");
    pthread_attr_destroy(&attributes);
    return thread;
}

struct nested {
    uintptr_t outer, inner;
};
static void inner_work(void *context)
{
    ((struct nested *)context)->inner = (uintptr_t)__builtin_frame_address(0);
}
static void outer_work(void *context)
{
    ((struct nested *)context)->outer = (uintptr_t)__builtin_frame_address(0);
    libleak_on_own_stack(inner_work, context);
}

/* A second user while the reserved stack is taken: a stack of its own, the same result. */
static void second_work(void *context)
{
    struct work_report *report = context;
    report->frame = (uintptr_t)__builtin_frame_address(0);
    report->used = use_stack(200 * 1024) + 1;
}
static void *second_thread(void *context)
{
    libleak_on_own_stack(second_work, context);
    return NULL;
}
static void first_work(void *context)
{
    struct work_report *report = context;
    report->frame = (uintptr_t)__builtin_frame_address(0);
    pthread_join(start_small_thread(second_thread, report + 1), NULL);
}

int main(void)
{
    signal(SIGUSR1, on_signal);
    CHECK(libleak_own_stack_reserve(), "the stack is mapped");

    pthread_join(start_small_thread(thread_main, NULL), NULL);
    CHECK(thread_report.used != 0, "the work ran to its end");
    CHECK(handled == 1, "the signal was handled on our stack (%d)", (int)handled);
    CHECK(thread_report.frames > 3 && thread_report.frames < 64, "backtrace ended (%d frames)",
          thread_report.frames);
    CHECK(thread_report.saw_caller, "the backtrace continued into the caller's frames");
    CHECK(libleak_own_stack_used() >= 300 * 1024, "the reserved stack took the work (%zu bytes used)",
          libleak_own_stack_used());

    struct nested nested = {0, 0};
    libleak_on_own_stack(outer_work, &nested);
    CHECK(nested.inner <= nested.outer && nested.outer - nested.inner < 4096,
          "nested work runs where it is (outer %#lx, inner %#lx)", (unsigned long)nested.outer,
          (unsigned long)nested.inner);

    struct work_report both[2] = {{0}};
    libleak_on_own_stack(first_work, both);
    uintptr_t distance = both[0].frame > both[1].frame ? both[0].frame - both[1].frame
                                                       : both[1].frame - both[0].frame;
    CHECK(both[1].used && distance > LIBLEAK_OWN_STACK_SIZE,
          "a second user at once ran on another stack (%#lx, %#lx)", (unsigned long)both[0].frame,
          (unsigned long)both[1].frame);
    return check_result("test_own_stack");
}
