/*
 * unshare_user: a single-threaded program enters a new user namespace, as unshare(1), bwrap
 * or a sandboxing zygote do (the kernel allows it only while the process has one thread), then
 * a mount namespace with setns (which needs a single thread too). Then it asks for a snapshot
 * by signal (the dumper must be back) and by libleak_dump.
 *   unshare_user SNAPSHOT [syscall]   SNAPSHOT: the file the SIGUSR2 snapshot is expected at
 *                           (absolute: setns into a mount namespace moves the working
 *                           directory to /); "syscall": unshare with syscall(SYS_unshare)
 * Prints "unshare 0" (or the error), "setns 0", "signal snapshot 1" when SNAPSHOT appeared
 * within 20 s, "dump 0".
 */
#include <errno.h>
#include <fcntl.h>
#include <libleak.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3)
        return 2;
    void *kept = malloc(4096);
    /* "syscall": through syscall(2), as programs do where libc had no wrapper. */
    bool raw = argc == 3 && strcmp(argv[2], "syscall") == 0;
    if ((raw ? syscall(SYS_unshare, CLONE_NEWUSER) : unshare(CLONE_NEWUSER)) != 0) {
        printf("unshare %s\n", strerror(errno));
        return 1;
    }
    printf("unshare 0\n");
    /* setns into a mount namespace also needs a single thread (an unshared fs). Our own new
       one: as root of the new user namespace we may enter it, type given and type 0. */
    int namespace = unshare(CLONE_NEWNS) == 0 ? open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC) : -1;
    printf("setns %s\n", namespace < 0                        ? strerror(errno)
                         : setns(namespace, CLONE_NEWNS) != 0 ? strerror(errno)
                         : setns(namespace, 0) != 0           ? strerror(errno)
                                                              : "0");
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
