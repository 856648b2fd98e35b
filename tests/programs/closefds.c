/*
 * closefds: a program that closes every file descriptor it has (stdin, stdout, stderr and any
 * the library opened), opens files of its own — they get the lowest numbers, possibly ones
 * the library used — raises SIGUSR2 and calls libleak_dump(NULL) (when the library is there), writes known text to its files
 * and checks that they hold exactly that text. The result is the exit status: 0 when all is
 * well, 10 + the number of the failed step otherwise (there is no stderr to talk to).
 */
#include <libleak.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "site.h"
enum { FILES = 8, KEEP = 200 };
static void *kept[KEEP];

SITE void keep_after_close(void)
{
    for (int i = 0; i < KEEP; i++) {
        kept[i] = malloc(4096);
        if (!kept[i])
            exit(11);
        memset(kept[i], 3, 4096);
    }
}

int main(void)
{
    struct rlimit limit;
    long max = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536 ? (long)limit.rlim_cur : 65536;
    for (long fd = 0; fd < max; fd++)
        close((int)fd);

    int fds[FILES];
    char name[32], text[64];
    for (int i = 0; i < FILES; i++) {
        snprintf(name, sizeof name, "data%d.txt", i);
        fds[i] = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
        if (fds[i] < 0)
            return 12;
    }
    keep_after_close();
    if (libleak_dump) { /* without the library, SIGUSR2 would end the program */
        struct timespec pause = {0, 300 * 1000 * 1000};
        raise(SIGUSR2);
        nanosleep(&pause, NULL);
        if (libleak_dump(NULL) != 0)
            return 13;
        raise(SIGUSR2);
        nanosleep(&pause, NULL);
    }

    for (int i = 0; i < FILES; i++) {
        int n = snprintf(text, sizeof text, "file %d, descriptor %d\n", i, fds[i]);
        if (write(fds[i], text, (size_t)n) != n)
            return 14;
    }
    for (int i = 0; i < FILES; i++) {
        char want[64], got[128];
        int n = snprintf(want, sizeof want, "file %d, descriptor %d\n", i, fds[i]);
        ssize_t r = pread(fds[i], got, sizeof got, 0);
        if (r != n || memcmp(got, want, (size_t)n) != 0)
            return 15;
    }
    return 0;
}
