/* altstack_parked: a thread keeps a 1,536-byte block in a local of its own stack, then takes a
   signal whose handler runs on an alternate signal stack and never returns (it pauses there);
   main exits meanwhile. The thread's stack pointer is on the alternate stack: its own stack
   must still be scanned (memcheck: still reachable). */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "corpus.h"

static volatile int parked;

static void on_signal(int signal_number)
{
    (void)signal_number;
    parked = 1;
    for (;;)
        pause();
}

static void *parker(void *unused)
{
    (void)unused;
    void *volatile kept = xmalloc(1536);
    static char alternate_stack[4 * 16384] __attribute__((aligned(16)));
    stack_t stack = {.ss_sp = alternate_stack, .ss_size = sizeof alternate_stack};
    if (sigaltstack(&stack, NULL))
        abort();
    scrub_stack();
    pthread_kill(pthread_self(), SIGUSR1);
    return (void *)kept;
}

int main(void)
{
    struct sigaction action = {.sa_handler = on_signal, .sa_flags = SA_ONSTACK};
    sigaction(SIGUSR1, &action, NULL);
    pthread_t thread;
    if (pthread_create(&thread, NULL, parker, NULL))
        abort();
    while (!parked)
        usleep(1000);
    usleep(20000);
    scrub_stack();
    return 0;
}
