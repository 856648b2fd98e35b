/* altstack_exit: main keeps a 2,048-byte block in a local of its own frame, then exits from a
   signal handler that runs on an alternate signal stack. memcheck scans main's stack: still
   reachable. A scan that starts from the handler's frame and covers only the mapping of the
   alternate stack misses main's frame and calls the block lost. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "corpus.h"

static void on_signal(int signal_number)
{
    (void)signal_number;
    exit(0);
}

int main(void)
{
    void *volatile kept = xmalloc(2048);
    size_t bytes = 4 * 16384; /* 4 x SIGSTKSZ of old: mapped, as most programs get theirs */
    void *alternate_stack = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (alternate_stack == MAP_FAILED)
        abort();
    stack_t stack = {.ss_sp = alternate_stack, .ss_size = bytes};
    struct sigaction action = {.sa_handler = on_signal, .sa_flags = SA_ONSTACK};
    if (sigaltstack(&stack, NULL) || sigaction(SIGUSR1, &action, NULL))
        abort();
    scrub_stack();
    raise(SIGUSR1);
    return kept == NULL;
}
