/*
 * closed_std: closes some of the standard descriptors (as `2>&-` or a daemon does), then asks
 * for snapshots (libleak_dump on a thread, SIGUSR2 for the dumper) while the main thread keeps
 * writing to and reading from the closed numbers. Each of those calls must fail with EBADF:
 * a descriptor libleak opened for itself (a profile, /proc, an ELF file) must never take
 * number 0, 1 or 2.
 *   closed_std REPORT FDS ROUNDS   FDS: which to close, e.g. "2" or "012"
 * Writes "violations N calls M dumps D" to REPORT (opened before closing).
 */
#include <errno.h>
#include <fcntl.h>
#include <libleak.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int rounds;
static atomic_bool finished;
static int dumps;

static void *snapshots(void *arg)
{
    (void)arg;
    for (int i = 0; i < rounds; i++) {
        if (!libleak_dump) /* bare: nothing would catch the signal */
            continue;
        if (libleak_dump(NULL) == 0)
            dumps++;
        kill(getpid(), SIGUSR2);
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    atomic_store(&finished, true);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    int report = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (report < 3)
        return 2;
    rounds = atoi(argv[3]);
    bool closed[3] = {false, false, false};
    for (const char *p = argv[2]; *p; p++)
        if (*p >= '0' && *p <= '2')
            closed[*p - '0'] = true;
    for (int fd = 0; fd < 3; fd++)
        if (closed[fd])
            close(fd);
    pthread_t thread;
    if (pthread_create(&thread, NULL, snapshots, NULL) != 0)
        return 2;
    long violations = 0, calls = 0;
    char buffer[16];
    while (!atomic_load(&finished)) {
        for (int fd = 0; fd < 3; fd++) {
            if (!closed[fd])
                continue;
            calls += 2;
            if (!(write(fd, "program's own text\n", 19) < 0 && errno == EBADF))
                violations++;
            if (!(read(fd, buffer, sizeof buffer) < 0 && errno == EBADF))
                violations++;
        }
        free(malloc(1000)); /* something to profile */
    }
    pthread_join(thread, NULL);
    /* Let the last signal's snapshot finish, then check nothing of ours stayed on 0-2. */
    struct timespec pause = {0, 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    for (int fd = 0; fd < 3; fd++)
        if (closed[fd] && fcntl(fd, F_GETFD) >= 0)
            violations++;
    dprintf(report, "violations %ld calls %ld dumps %d\n", violations, calls, dumps);
    return 0;
}
