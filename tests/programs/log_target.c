/*
 * log_target: a program that talks on both stdout and stderr, for LIBLEAK_LOG
 * (tests/cases/gate_log_file.sh): the gate's lines must go to the log file, the program's
 * output stay byte for byte what it is bare.
 *   log_target clean   three lines on each stream, everything freed, exit 0
 *   log_target leak    the same, then 1,000 bytes lost in one block, exit 0
 *   log_target exit3   the same as leak, then exit(3)
 *   log_target fork    a forked child loses 200 bytes and exits 0; the parent loses 1,000
 *                      and prints the child's pid and exit status
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SCRUB_STACK_BYTES 16384
#include "scrub_stack.h"

static void *volatile kept;

__attribute__((noinline)) static void lose(size_t size)
{
    kept = malloc(size);
    memset(kept, 1, size);
    kept = NULL;
}

/* Stale copies of the lost pointer on the stack would keep it reachable. */
static void talk(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 1; i <= 3; i++) {
        printf("out %d\n", i);
        fprintf(stderr, "err %d\n", i);
    }
    free(malloc(100));
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "clean";
    talk();
    if (!strcmp(what, "fork")) {
        pid_t child = fork();
        if (child == 0) {
            lose(200);
            scrub_stack();
            exit(0);
        }
        int status = 0;
        waitpid(child, &status, 0);
        printf("child %d status %d\n", (int)child, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    if (strcmp(what, "clean") != 0)
        lose(1000);
    scrub_stack();
    if (!strcmp(what, "exit3"))
        exit(3);
    return 0;
}
