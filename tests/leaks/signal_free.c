/* signal_free: a timer's SIGALRM handler frees, one per signal, 48 blocks the program
   allocated first (each pointer cleared as its block goes), while the main thread allocates
   and frees in a loop until the handler has freed them all. Nothing is lost. Under the gate
   (exact mode) the slow path runs on every allocation, so the signal often lands inside
   libleak; a free there was once taken for a block of libleak's own and never forgotten:
   phantom leaks, about one per signal that landed inside.
   The freed blocks are each of their own size class, in glibc's per-thread cache, and the
   loop allocates a size no cache holds: the handler's free takes no lock the interrupted
   malloc may hold. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

#include "corpus.h"

#define BLOCKS 48

static void *volatile blocks[BLOCKS];
static volatile sig_atomic_t freed;

static void free_one(int signal_number)
{
    (void)signal_number;
    if (freed < BLOCKS) {
        free(blocks[freed]);
        blocks[freed] = NULL;
        freed++;
    }
}

int main(void)
{
    for (int i = 0; i < BLOCKS; i++)
        blocks[i] = xmalloc(24 + 16 * (size_t)i); /* sizes 24..776: one per cache bin */
    struct sigaction action = {.sa_handler = free_one, .sa_flags = SA_RESTART};
    struct itimerval every = {{0, 200}, {0, 200}}, stop = {{0, 0}, {0, 0}};
    if (sigaction(SIGALRM, &action, NULL) || setitimer(ITIMER_REAL, &every, NULL))
        abort();
    unsigned long rounds = 0;
    while (freed < BLOCKS) {
        void *volatile block = malloc(4000);
        free(block);
        rounds++;
    }
    setitimer(ITIMER_REAL, &stop, NULL);
    printf("freed %d blocks from the handler\n", (int)freed);
    (void)rounds;
    scrub_stack();
    return 0;
}
