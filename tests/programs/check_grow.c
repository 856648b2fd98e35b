/*
 * check_grow: leaks that grow between two leak checks made while the program runs
 * (tests/cases/check_on_demand.sh). Phase 1 leaks 10 blocks of 1000 bytes (leak_block) and a
 * 64-byte head whose 128-byte child is then indirectly lost (leak_pair); phase 2 leaks 15
 * more blocks of 1000. 5 blocks of 500 bytes stay reachable from a global, and are freed at
 * the end. A check after each phase, by libleak_check_now() ("call", its result printed on
 * stderr) or by the check signal the program sends itself ("signal": it then waits until the
 * check's profile, argv[2] and argv[3], appears). Prints the same lines whatever happens, and
 * ends with status 7.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libleak.h"
#include "site.h"
#define SCRUB_STACK_BYTES 16384
#include "scrub_stack.h"

static void *kept[5];

SITE void leak_block(void)
{
    char *p = malloc(1000);
    memset(p, 'x', 1000);
    __asm__ volatile("" ::"r"(p) : "memory");
}

SITE void leak_pair(void)
{
    void **head = malloc(64);
    memset(head, 0, 64);
    head[0] = malloc(128);
    memset(head[0], 0, 128);
    __asm__ volatile("" ::"r"(head) : "memory");
}

/* Overwrites the stack below the caller: no copy of a leaked pointer stays in a frame that a
   later call leaves unwritten. */
static void wait_for(const char *path)
{
    for (int i = 0; i < 4000 && access(path, F_OK) != 0; i++) {
        struct timespec pause = {0, 5 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

static void check(const char *mode, const char *profile)
{
    scrub_stack();
    if (strcmp(mode, "call") == 0) {
        long lost = libleak_check_now ? libleak_check_now() : -1;
        fprintf(stderr, "check_grow: libleak_check_now returned %ld\n", lost);
    } else {
        kill(getpid(), SIGUSR1);
        wait_for(profile);
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "call";
    for (int i = 0; i < 5; i++)
        kept[i] = malloc(500);
    for (int i = 0; i < 10; i++)
        leak_block();
    leak_pair();
    printf("phase 1\n");
    fflush(stdout);
    check(mode, argc > 2 ? argv[2] : "");
    for (int i = 0; i < 15; i++)
        leak_block();
    printf("phase 2\n");
    fflush(stdout);
    check(mode, argc > 3 ? argv[3] : "");
    for (int i = 0; i < 5; i++)
        free(kept[i]);
    printf("done\n");
    return 7;
}
