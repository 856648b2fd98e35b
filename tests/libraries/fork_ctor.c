/*
 * fork_ctor: a library whose constructor asks for a snapshot (SIGUSR2), gives the dumper time
 * to start it, then forks, as libraries that spawn a helper process at load do. The
 * constructor runs inside dlopen, with the loader's lock held: if fork waited for a dump that
 * itself waits for the loader's lock, the process would hang. The child allocates and _exits.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int fork_ctor_forks;

__attribute__((constructor)) static void fork_at_load(void)
{
    kill(getpid(), SIGUSR2);
    struct timespec pause = {0, 30 * 1000 * 1000};
    nanosleep(&pause, NULL);
    pid_t child = fork();
    if (child == 0) {
        free(malloc(100));
        _exit(0);
    }
    int status;
    if (child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        fork_ctor_forks++;
}
