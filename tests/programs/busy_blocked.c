/*
 * busy_blocked: a thread that blocks every signal and computes, never entering a system call,
 * while main returns: the leak gate can neither stop it (its stop signal stays pending) nor
 * read its stack pointer from /proc (it is running). The only pointer to its 4096-byte block
 * is on its stack.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_int ready;

static void *compute(void *unused)
{
    (void)unused;
    char *volatile block = malloc(4096);
    memset(block, 2, 4096);
    atomic_store(&ready, 1);
    volatile unsigned long sum = 0;
    for (;;)
        sum += (unsigned char)block[sum & 4095];
    return NULL;
}

int main(void)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* inherited by the thread */
    pthread_t thread;
    if (pthread_create(&thread, NULL, compute, NULL) != 0)
        return 2;
    while (!atomic_load(&ready))
        ;
    puts("busy_blocked: returning from main");
    return 0;
}
