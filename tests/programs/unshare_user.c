/*
 * unshare_user: a single-threaded program enters a new user namespace, as unshare(1), bwrap
 * or a sandboxing zygote do; the kernel allows it only while the process has one thread.
 * Then it asks for a snapshot by signal (the dumper must be back) and by libleak_dump.
 *   unshare_user SNAPSHOT   SNAPSHOT: the file the SIGUSR2 snapshot is expected at
 * Prints "unshare 0" (or the error), "signal snapshot 1" when SNAPSHOT appeared within 20 s,
 * "dump 0".
 */
#include <errno.h>
#include <libleak.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    void *kept = malloc(4096);
    if (unshare(CLONE_NEWUSER) != 0) {
        printf("unshare %s\n", strerror(errno));
        return 1;
    }
    printf("unshare 0\n");
    fflush(stdout);
    kill(getpid(), SIGUSR2);
    int seen = 0;
    for (int i = 0; i < 400 && !seen; i++) {
        seen = access(argv[1], F_OK) == 0;
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    printf("signal snapshot %d\n", seen);
    printf("dump %d\n", libleak_dump ? libleak_dump(NULL) : -1);
    free(kept);
    return 0;
}
