/*
 * fork_walker: one thread walks the module list without pause (dl_iterate_phdr) or loads and
 * unloads a library (dlopen/dlclose), so that the loader's lock is often held at the moment the
 * main thread forks. Each of 30 children allocates, writes a profile (which lists modules) and
 * exits. glibc does not reset that lock in the child: a child that waits for it hangs for good.
 * With dlopen traffic the child writes its profile with libleak_dump() and leaves with _exit():
 * exit() itself may hang there without libleak (dlclose's __cxa_finalize holds glibc's
 * __exit_funcs_lock, which fork does not reset either).
 *   fork_walker phdr|dlopen   prints "hung 0 of 30, 0 failed" when every child exited 0, else
 *                             "hung 1 of K, ..." at the first child still running 10 s after fork
 *                             (it is killed).
 */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "site.h"

enum { CHILDREN = 30, PATIENCE_MS = 10000 };
static volatile int stop;
static int (*dump)(const char *); /* libleak_dump, when the library is there */
static int quick_exit_child;

static int count_segments(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(int *)data += info->dlpi_phnum;
    return 0;
}

static void *walk_modules(void *unused)
{
    (void)unused;
    int segments = 0;
    while (!stop)
        dl_iterate_phdr(count_segments, &segments);
    return NULL;
}

static void *load_and_unload(void *unused)
{
    (void)unused;
    while (!stop) {
        void *library = dlopen("libresolv.so.2", RTLD_NOW | RTLD_LOCAL);
        if (library)
            dlclose(library);
    }
    return NULL;
}

SITE void child_work(void)
{
    for (int i = 0; i < 100; i++) {
        char *block = malloc(64 + (size_t)i);
        if (!block)
            _exit(3);
        memset(block, i, 64);
        if (i % 10)
            free(block);
    }
    char *big = malloc(4 << 20); /* sampled at the default rate too */
    if (big)
        big[0] = 1;
    if (quick_exit_child) {
        if (dump && dump(NULL) != 0)
            _exit(4);
        _exit(0);
    }
    exit(0);
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "phdr") && strcmp(argv[1], "dlopen")))
        return 2;
    quick_exit_child = strcmp(argv[1], "dlopen") == 0;
    dump = (int (*)(const char *))dlsym(RTLD_DEFAULT, "libleak_dump");
    pthread_t thread;
    if (pthread_create(&thread, NULL, strcmp(argv[1], "phdr") == 0 ? walk_modules : load_and_unload, NULL) != 0)
        return 2;
    int hung = 0, forked = 0, failed = 0;
    for (int i = 0; i < CHILDREN && !hung; i++) {
        pid_t child = fork();
        if (child < 0)
            return 2;
        if (child == 0)
            child_work();
        forked++;
        int status, waited_ms = 0;
        while (waitpid(child, &status, WNOHANG) == 0) {
            if (waited_ms >= PATIENCE_MS) {
                kill(child, SIGKILL);
                waitpid(child, &status, 0);
                hung++;
                break;
            }
            struct timespec pause = {0, 10 * 1000 * 1000};
            nanosleep(&pause, NULL);
            waited_ms += 10;
        }
        if (!hung && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            fprintf(stderr, "fork_walker: child %d: status %#x\n", (int)child, status);
            failed++;
        }
    }
    stop = 1;
    pthread_join(thread, NULL);
    printf("hung %d of %d, %d failed\n", hung, forked, failed);
    return 0;
}
