/*
 * thread_labels — threads named every way a program names them, each allocating a known amount
 * in 1 MiB blocks that it keeps (tests/cases/labels_threads.sh):
 *   main          8 MiB   (its name is the program's)
 *   alpha        16 MiB   named by main with pthread_setname_np before it allocates
 *   beta         24 MiB   names itself with prctl(PR_SET_NAME)
 *   gamma         8 MiB   names itself with pthread_setname_np, then renames itself...
 *   delta        16 MiB   ...with prctl, and allocates again
 *   worker-1/2  4 MiB each, named by main (folded into "worker-*" by default)
 * The threads run one after another. Prints "truth NAME BYTES" lines, then what the renaming
 * calls answer when they fail or read (libleak forwards them: same result, same errno):
 *   forward prctl_bad RESULT ERRNO        prctl with an unknown option
 *   forward setname_long RESULT           pthread_setname_np with a 20-character name
 *   forward get_name NAME                 prctl(PR_GET_NAME) of main
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "site.h"

#define MIB (1 << 20)

static sem_t named;

SITE static void allocate(const char *name, int mebibytes)
{
    for (int i = 0; i < mebibytes; i++)
        if (!malloc(MIB))
            exit(1);
    printf("truth %s %d\n", name, mebibytes * MIB);
}

static void *named_by_main(void *name)
{
    sem_wait(&named);
    allocate(name, *(const char *)name == 'a' ? 16 : 4);
    return NULL;
}

static void *names_itself(void *unused)
{
    (void)unused;
    prctl(PR_SET_NAME, "beta", 0, 0, 0);
    allocate("beta", 24);
    return NULL;
}

static void *renames_itself(void *unused)
{
    (void)unused;
    pthread_setname_np(pthread_self(), "gamma");
    allocate("gamma", 8);
    prctl(PR_SET_NAME, "delta", 0, 0, 0);
    allocate("delta", 16);
    return NULL;
}

static void run_named(const char *name)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, named_by_main, (void *)name) != 0 ||
        pthread_setname_np(thread, name) != 0)
        exit(2);
    sem_post(&named);
    pthread_join(thread, NULL);
}

static void run(void *(*body)(void *))
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, body, NULL) != 0)
        exit(2);
    pthread_join(thread, NULL);
}

int main(void)
{
    static char out[4096]; /* stdout's buffer, so that no allocation of printf's is charged to allocate() */
    setvbuf(stdout, out, _IOFBF, sizeof out);
    sem_init(&named, 0, 0);
    allocate("main", 8);
    run_named("alpha");
    run(names_itself);
    run(renames_itself);
    run_named("worker-1");
    run_named("worker-2");
    errno = 0;
    int result = prctl(-12345, 0, 0, 0, 0);
    printf("forward prctl_bad %d %s\n", result, strerrorname_np(errno));
    printf("forward setname_long %s\n", strerrorname_np(pthread_setname_np(pthread_self(), "twenty-characters-xx")));
    char name[17] = "";
    prctl(PR_GET_NAME, name, 0, 0, 0);
    printf("forward get_name %s\n", name);
    fflush(stdout);
    return 0;
}
