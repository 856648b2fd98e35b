/*
 * gate_leaks: known leaks and known non-leaks for the leak gate (LIBLEAK_CHECK=1). One scenario
 * per run, named by the first argument; the truth is in the comments of each function and in
 * tests/cases/gate_*.sh. After making a leak, the stack is scrubbed so that no stale copy of a
 * pointer keeps a lost block reachable (memcheck and LeakSanitizer see stale words too).
 *   direct      two blocks lost: 4,000 + 248 bytes (definitely lost 4,248 bytes in 2 blocks)
 *   global      1,024 bytes kept from a global (still reachable), nothing lost
 *   interior    a global points 16 bytes into a 100-byte block (possibly lost)
 *   list        a lost list of 11 32-byte nodes: definitely 32 in 1, indirectly 320 in 10
 *   exit3       direct's leak, then exit(3)
 *   tls         a __thread pointer keeps 512 bytes (still reachable)
 *   thread      a thread still running at exit keeps 700 bytes only on its own stack
 *   spinning    the same from a thread that never enters a system call
 *   sigwait     the same from a thread that blocks every signal and sleeps in sigwait
 *   masked      the same from a thread that blocks every signal and waits on a condition
 *   fork        the child leaks 333 bytes and exits 0 through exit(); the parent leaks
 *               nothing and prints "child status N"
 *   many N      N blocks in a reachable array, every 10th lost (N/10 * 48 bytes lost)
 *   none        allocates and frees: nothing at all is left
 *   mmapped     600 bytes kept only from a region the program mapped itself (mmap): still
 *               reachable, as memcheck says (it scans every writable mapping)
 *   closestderr direct's leak, then fclose(stderr) (as coreutils' close_stdout does at exit)
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "site.h"
#include "scrub_stack.h"

void *volatile global_keep;
static __thread void *volatile thread_keep;

/* Overwrites a good part of the stack below the caller, where stale pointers would lie. */
SITE void leak_direct_big(void)
{
    void *volatile p = malloc(4000);
    memset(p, 1, 4000);
    p = NULL;
}

SITE void leak_direct_small(void)
{
    void *volatile p = malloc(248);
    memset(p, 1, 248);
    p = NULL;
}

SITE void keep_global(void)
{
    global_keep = malloc(1024);
}

SITE void keep_interior(void)
{
    char *p = malloc(100);
    global_keep = p + 16;
}

struct node {
    struct node *next;
    char payload[24];
};

SITE struct node *make_node(struct node *next)
{
    struct node *n = malloc(sizeof *n);
    n->next = next;
    memset(n->payload, 2, sizeof n->payload);
    return n;
}

SITE void leak_list(void)
{
    struct node *volatile head = NULL;
    for (int i = 0; i < 11; i++)
        head = make_node(head);
    head = NULL;
}

SITE void keep_in_mapping(void)
{
    void **region = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    region[100] = malloc(600);
}

SITE void keep_tls(void)
{
    thread_keep = malloc(512);
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;
static int ready;

SITE void *sleeper(void *unused)
{
    (void)unused;
    void *volatile mine = malloc(700);
    memset(mine, 3, 700);
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_signal(&ready_cond);
    pthread_mutex_unlock(&lock);
    for (;;)
        pause();
    return mine;
}

static volatile int spin_forever = 1;

SITE void *spinner(void *unused)
{
    (void)unused;
    void *volatile mine = malloc(700);
    memset(mine, 3, 700);
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_signal(&ready_cond);
    pthread_mutex_unlock(&lock);
    unsigned long counter = 0;
    while (spin_forever)
        counter++;
    return (void *)(counter + (uintptr_t)mine);
}

SITE void *signal_waiter(void *unused)
{
    (void)unused;
    void *volatile mine = malloc(700);
    memset(mine, 3, 700);
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_signal(&ready_cond);
    pthread_mutex_unlock(&lock);
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGUSR1);
    int number;
    sigwait(&wanted, &number);
    return mine;
}

static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

SITE void *masked_waiter(void *unused)
{
    (void)unused;
    void *volatile mine = malloc(700);
    memset(mine, 3, 700);
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_signal(&ready_cond);
    while (ready)
        pthread_cond_wait(&never, &lock);
    pthread_mutex_unlock(&lock);
    return mine;
}

static void start_and_wait(void *(*function)(void *))
{
    pthread_t thread;
    pthread_create(&thread, NULL, function, NULL);
    pthread_mutex_lock(&lock);
    while (!ready)
        pthread_cond_wait(&ready_cond, &lock);
    pthread_mutex_unlock(&lock);
}

SITE void leak_in_child(void)
{
    void *volatile p = malloc(333);
    memset(p, 4, 333);
    p = NULL;
}

SITE void **keep_many(long count)
{
    void **array = malloc((size_t)count * sizeof *array);
    for (long i = 0; i < count; i++)
        array[i] = malloc(48);
    for (long i = 0; i < count; i += 10)
        array[i] = NULL; /* lost: nothing else points to it */
    return array;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "none";
    if (!strcmp(what, "direct") || !strcmp(what, "exit3") || !strcmp(what, "closestderr")) {
        leak_direct_big();
        leak_direct_small();
    } else if (!strcmp(what, "global")) {
        keep_global();
    } else if (!strcmp(what, "interior")) {
        keep_interior();
    } else if (!strcmp(what, "list")) {
        leak_list();
    } else if (!strcmp(what, "mmapped")) {
        keep_in_mapping();
    } else if (!strcmp(what, "tls")) {
        keep_tls();
    } else if (!strcmp(what, "thread")) {
        start_and_wait(sleeper);
    } else if (!strcmp(what, "spinning")) {
        start_and_wait(spinner);
    } else if (!strcmp(what, "masked")) {
        start_and_wait(masked_waiter);
    } else if (!strcmp(what, "sigwait")) {
        start_and_wait(signal_waiter);
    } else if (!strcmp(what, "fork")) {
        pid_t child = fork();
        if (child == 0) {
            leak_in_child();
            scrub_stack();
            exit(0);
        }
        int status = 0;
        waitpid(child, &status, 0);
        printf("child status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    } else if (!strcmp(what, "many")) {
        long count = argc > 2 ? atol(argv[2]) : 1000000;
        global_keep = keep_many(count);
    } else if (!strcmp(what, "none")) {
        free(malloc(100));
    }
    scrub_stack();
    if (!strcmp(what, "exit3"))
        exit(3);
    if (!strcmp(what, "closestderr"))
        fclose(stderr);
    return 0;
}
