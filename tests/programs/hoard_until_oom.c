/*
 * hoard_until_oom: leaks 256 KiB blocks from one call site (hoard_memory), one every 2 ms,
 * until malloc fails (run it under ulimit -d or -v), then kills itself with SIGKILL as the
 * out-of-memory killer would — after waiting (at most 20 s) for the file named by its argument
 * to appear, so that the test does not depend on the machine's speed. Prints
 *   hoarded MIB
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "site.h"

#define BLOCK (256 * 1024)

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

SITE void *hoard_memory(void)
{
    void *p = malloc(BLOCK);
    if (p)
        memset(p, 1, BLOCK);
    return p;
}

int main(int argc, char **argv)
{
    long blocks = 0;
    while (hoard_memory()) {
        blocks++;
        pause_ms(2);
    }
    printf("hoarded %ld\n", blocks * BLOCK / (1 << 20));
    fflush(stdout);
    for (int i = 0; argc > 1 && i < 400 && access(argv[1], F_OK) != 0; i++)
        pause_ms(50);
    kill(getpid(), SIGKILL);
    return 3;
}
