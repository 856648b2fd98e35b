/*
 * hello_alloc: a small, ordinary program for the bad-input tests. It keeps some blocks from
 * hello_keep, prints a fixed text and exits with the status asked for. Options, in order:
 *   --chdir DIR    change the working directory first (profiles still go where it started)
 *   --open FILE    open FILE (with stderr closed it gets fd 2), print the descriptor it got
 *                  and write "program data\n" to it, left open until exit
 *   --say TEXT     write TEXT and a newline to stderr
 *   --rate         print libleak_rate() on stderr ("none" without the library)
 *   --dump PATH    call libleak_dump(PATH) ("-" = NULL) and print its result on stderr
 *   --signal       raise(SIGUSR2) and wait a little for the dumper
 *   --exit N       the exit status (default 0)
 */
#include <libleak.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "site.h"
enum { KEEP_COUNT = 100, KEEP_SIZE = 1000 };
static void *kept[KEEP_COUNT];

SITE void hello_keep(void)
{
    for (int i = 0; i < KEEP_COUNT; i++) {
        kept[i] = malloc(KEEP_SIZE);
        if (!kept[i])
            exit(2);
        memset(kept[i], i, KEEP_SIZE);
    }
}

int main(int argc, char **argv)
{
    int status = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : "";
        if (strcmp(arg, "--chdir") == 0) {
            i++;
            if (chdir(value) != 0) {
                perror("chdir");
                return 2;
            }
        } else if (strcmp(arg, "--open") == 0) {
            i++;
            int fd = open(value, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || write(fd, "program data\n", 13) != 13) {
                perror(value);
                return 2;
            }
            printf("hello: opened %s on descriptor %d\n", value, fd);
        } else if (strcmp(arg, "--say") == 0) {
            i++;
            fprintf(stderr, "%s\n", value);
            fflush(stderr);
        } else if (strcmp(arg, "--dump") == 0) {
            i++;
            int rc = libleak_dump ? libleak_dump(strcmp(value, "-") ? value : NULL) : -2;
            int saved = errno;
            fprintf(stderr, "hello_alloc: libleak_dump(%s) = %d errno=%d (%s)\n", value, rc,
                    rc == -1 ? saved : 0, rc == -1 ? strerror(saved) : "-");
        } else if (strcmp(arg, "--rate") == 0) {
            if (libleak_rate)
                fprintf(stderr, "hello_alloc: libleak_rate() = %lu\n", libleak_rate());
            else
                fprintf(stderr, "hello_alloc: libleak_rate() = none\n");
        } else if (strcmp(arg, "--signal") == 0) {
            raise(SIGUSR2);
            struct timespec pause = {0, 300 * 1000 * 1000};
            nanosleep(&pause, NULL);
        } else if (strcmp(arg, "--exit") == 0) {
            i++;
            status = atoi(value);
        } else {
            fprintf(stderr, "hello_alloc: unknown option %s\n", arg);
            return 2;
        }
    }
    hello_keep();
    long sum = 0;
    for (int i = 0; i < KEEP_COUNT; i++)
        sum += ((unsigned char *)kept[i])[KEEP_SIZE - 1];
    printf("hello: kept %d blocks of %d bytes, checksum %ld\n", KEEP_COUNT, KEEP_SIZE, sum);
    printf("hello: exiting with %d\n", status);
    return status;
}
