/* altstack_exit_leak: as altstack_exit, and one 3,000-byte block dropped before the signal:
   the exit's work (libunwind's walk to exit()'s caller, the scan, naming the stack with
   libdw: ~150 KB) must not run on the 8 KiB alternate stack the handler called exit() on
   (issue 15, case 4; bare glibc exits fine from it). Definitely lost. */
//@ main: definitely=3000/1 indirectly=0/0 possibly=0/0 status=23
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "corpus.h"

CORPUS_SITE static void lose_block(void)
{
    void *block = xmalloc(3000);
    block = NULL;
    (void)block;
}

static void on_signal(int signal_number)
{
    (void)signal_number;
    exit(0);
}

int main(void)
{
    void *volatile kept = xmalloc(2048);
    lose_block();
    size_t bytes = 8192; /* SIGSTKSZ of old */
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
