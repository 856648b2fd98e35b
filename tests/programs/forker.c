/*
 * forker: forks while other threads allocate (so that a fork can land while the library is
 * busy in another thread). Each child allocates from keep_in_child, and exits through exit()
 * so that it writes its own exit profile; the parent keeps blocks from keep_in_parent.
 *   forker [CHILDREN]   prints "child N pid PID" per child (on stderr) and on stdout
 *                       "parent ok" / "children ok" when every child exited 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "site.h"
enum { ALLOCATORS = 3, CHILD_COUNT = 300, CHILD_SIZE = 100, PARENT_COUNT = 50, PARENT_SIZE = 1000 };

static volatile int stop;
static void *parent_blocks[PARENT_COUNT];

SITE void churn(void)
{
    void *blocks[64];
    for (int i = 0; i < 64; i++) {
        blocks[i] = malloc(16 + (size_t)i * 100);
        if (!blocks[i])
            exit(2);
        memset(blocks[i], 1, 16);
    }
    for (int i = 0; i < 64; i++)
        free(blocks[i]);
}

static void *allocator(void *arg)
{
    (void)arg;
    while (!stop)
        churn();
    return NULL;
}

SITE void keep_in_child(void **blocks)
{
    for (int i = 0; i < CHILD_COUNT; i++) {
        blocks[i] = malloc(CHILD_SIZE);
        if (!blocks[i])
            _exit(3);
        memset(blocks[i], 2, CHILD_SIZE);
    }
}

SITE void keep_in_parent(void)
{
    for (int i = 0; i < PARENT_COUNT; i++) {
        parent_blocks[i] = malloc(PARENT_SIZE);
        if (!parent_blocks[i])
            exit(2);
    }
}

static void child(void)
{
    static void *blocks[CHILD_COUNT];
    keep_in_child(blocks);
    churn();
    /* a thread in the child too: the library's state must work after fork */
    pthread_t thread;
    stop = 0;
    if (pthread_create(&thread, NULL, allocator, NULL) != 0)
        _exit(4);
    churn();
    stop = 1;
    pthread_join(thread, NULL);
    exit(0);
}

int main(int argc, char **argv)
{
    int children = argc > 1 ? atoi(argv[1]) : 10;
    keep_in_parent();
    pthread_t threads[ALLOCATORS];
    for (int t = 0; t < ALLOCATORS; t++)
        if (pthread_create(&threads[t], NULL, allocator, NULL) != 0)
            return 2;
    int bad = 0;
    for (int c = 0; c < children; c++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0)
            child();
        fprintf(stderr, "child %d pid %d\n", c, (int)pid);
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "forker: child %d (pid %d) ended with status %#x\n", c, (int)pid, status);
            bad++;
        }
    }
    stop = 1;
    for (int t = 0; t < ALLOCATORS; t++)
        pthread_join(threads[t], NULL);
    printf("parent ok\n");
    printf(bad ? "children failed\n" : "children ok\n");
    return bad ? 1 : 0;
}
