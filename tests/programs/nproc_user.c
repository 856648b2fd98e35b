/* What a program under a small RLIMIT_NPROC can do: it counts its own threads at start (the
   library's dumper thread shows there), then starts a thread and joins it, then forks a child
   and waits for it. Prints each result; exits 0 when both worked, 1 otherwise.
   Run it as a user whose limit applies (not root: RLIMIT_NPROC does not bind root). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int threads_now(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    int threads = -1;
    while (status && fgets(line, sizeof line, status))
        if (sscanf(line, "Threads: %d", &threads) == 1)
            break;
    if (status)
        fclose(status);
    return threads;
}

static void *nothing(void *unused)
{
    return unused;
}

int main(void)
{
    printf("threads at start: %d\n", threads_now());
    pthread_t thread;
    int error = pthread_create(&thread, NULL, nothing, NULL);
    printf("pthread_create: %s\n", error ? strerror(error) : "ok");
    if (!error)
        pthread_join(thread, NULL);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    printf("fork: %s\n", child < 0 ? strerror(errno) : "ok");
    if (child > 0)
        waitpid(child, NULL, 0);
    return error || child < 0;
}
