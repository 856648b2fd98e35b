/*
 * fd_reuse_victim — a program that closes every descriptor above 2 (close_range(3, ~0), as
 * closefrom-style daemons and sandboxes do) while libleak writes a profile, then opens a file
 * of its own, which gets the lowest free number: the one a profile of ours may have held.
 * Its writes must succeed, its file must hold exactly what it wrote, with one link (ours
 * would have linked it under a profile's name), and its close must succeed (ours would have
 * closed it). Snapshots come from SIGUSR2 (written by libleak's dumper thread), and the exit
 * profile is written while a second thread of the program keeps doing the same; 4096
 * distinct stacks make each profile take a while.
 *
 * With "dump" after SECONDS, main calls libleak_dump(NULL) again and again instead (a dump
 * asked for on a program's thread) while a second thread does the rounds.
 *
 * Usage: fd_reuse_victim SECONDS [dump]. Prints "violations N rounds R" for the snapshots; exit 0.
 * A violation at exit shows as a "links", "content", "write" or "close" line on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <libleak.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "distinct_stacks.h"

#define DEPTH 12
static void *kept[1 << DEPTH];

static int violations, rounds;
static volatile int exit_rounds;

/* One round: close everything above 2, open a file of our own, write it, check it. */
static void round_of_reuse(const char *name)
{
    static const char line[] = "the program's own line\n";
    char expected[64 * sizeof line], seen[sizeof expected + 1];
    syscall(SYS_close_range, 3u, ~0u, 0u);
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        fprintf(stderr, "open: %s\n", strerror(errno));
        violations++;
        return;
    }
    size_t used = 0;
    for (int i = 0; i < 64; i++) {
        if (write(fd, line, sizeof line - 1) != (ssize_t)(sizeof line - 1)) {
            fprintf(stderr, "write %d on %d: %s\n", i, fd, strerror(errno));
            violations++;
            break;
        }
        memcpy(expected + used, line, sizeof line - 1);
        used += sizeof line - 1;
        if (i % 16 == 0)
            sched_yield();
    }
    struct stat status;
    if (fstat(fd, &status) != 0 || status.st_nlink != 1) {
        fprintf(stderr, "links of fd %d: %ld\n", fd, (long)status.st_nlink);
        violations++;
    }
    ssize_t got = pread(fd, seen, sizeof seen, 0);
    if (got != (ssize_t)used || memcmp(seen, expected, used) != 0) {
        fprintf(stderr, "content of fd %d: %zd bytes, %zu written\n", fd, got, used);
        violations++;
    }
    if (close(fd) != 0) {
        fprintf(stderr, "close %d: %s\n", fd, strerror(errno));
        violations++;
    }
    rounds++;
}

static volatile int stop_reusing;

static void *reuse_while_dumping(void *arg)
{
    (void)arg;
    while (!stop_reusing)
        round_of_reuse("mine.txt");
    return NULL;
}

/* While the exit profile is written: the same rounds on another thread, until the end. */
static void *at_exit_too(void *arg)
{
    (void)arg;
    for (;;) {
        round_of_reuse("mine_at_exit.txt");
        exit_rounds++;
    }
    return NULL;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 2 && !(argc == 3 && strcmp(argv[2], "dump") == 0))
        return 2;
    double seconds = atof(argv[1]);
    for (unsigned i = 0; i < (1u << DEPTH); i++)
        kept[i] = grow(DEPTH, i);
    int loaded = libleak_dump != NULL; /* bare: nothing would catch SIGUSR2 */
    double end = now() + seconds;
    if (argc == 3) {
        pthread_t reuser;
        if (pthread_create(&reuser, NULL, reuse_while_dumping, NULL) != 0)
            return 2;
        while (now() < end) {
            if (loaded && libleak_dump(NULL) != 0)
                fprintf(stderr, "libleak_dump: %s\n", strerror(errno));
            else if (!loaded)
                usleep(1000);
        }
        stop_reusing = 1;
        pthread_join(reuser, NULL);
    }
    while (now() < end) {
        if (loaded)
            kill(getpid(), SIGUSR2);
        struct timespec pause = {0, (long)(rand() % 3000) * 1000};
        nanosleep(&pause, NULL);
        round_of_reuse("mine.txt");
    }
    printf("violations %d rounds %d\n", violations, rounds);
    fflush(stdout);
    pthread_t thread;
    if (pthread_create(&thread, NULL, at_exit_too, NULL) != 0)
        return 2;
    while (exit_rounds == 0) /* its file exists, bare too */
        sched_yield();
    return 0;
}
