/*
 * gate_exit_paths MODE [STATUS]: leaks 400 bytes (leak_before_exit), leaves "unflushed" in
 * stdout's buffer, then ends the process by MODE with STATUS (default 0):
 *   quick   quick_exit(STATUS); its at_quick_exit handler writes "handler ran" with write(2)
 *   _exit   _exit(STATUS)
 *   exit    exit(STATUS)
 * quick_exit and _exit do not flush stdio: with stdout on a file, "unflushed" is lost, as it
 * must be under the leak gate too (tests/cases/gate_exit_paths.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "site.h"
#include "scrub_stack.h"

SITE void leak_before_exit(void)
{
    void *volatile block = malloc(400);
    memset(block, 1, 400);
    block = NULL;
}

static void handler(void)
{
    static const char line[] = "handler ran\n";
    write(1, line, sizeof line - 1);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    int status = argc > 2 ? atoi(argv[2]) : 0;
    at_quick_exit(handler);
    leak_before_exit();
    scrub_stack();
    fputs("unflushed\n", stdout);
    if (strcmp(argv[1], "quick") == 0)
        quick_exit(status);
    if (strcmp(argv[1], "_exit") == 0)
        _exit(status);
    exit(status);
}
