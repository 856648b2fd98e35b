/* A server started without libleak, for the attach tests (tests/cases/attach_*.sh): THREADS
   threads allocate and free in tight loops while the main thread, blocked in read(), takes
   commands from stdin:
     leak N       N blocks of 1000 bytes lost in leak_blocks (answers "leaked N")
     free-early   frees and reallocs the blocks allocated before any attach ("freed-early")
     quit         stops the threads, prints "bye" and exits with status 3.
     usr2         (with "usr2") prints "usr2 N": how many SIGUSR2 its own handler counted
   With "busy" the main thread allocates and frees in a loop too, between reads of a
   non-blocking stdin: no thread is ever blocked. With "usr2" it handles SIGUSR2 itself.
   Usage: attach_server THREADS [busy | usr2] */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_bool stop;
static void *early[100];

static volatile sig_atomic_t usr2_count;

static void on_usr2(int signal_number)
{
    (void)signal_number;
    usr2_count++;
}

static void *churn(void *unused)
{
    (void)unused;
    while (!atomic_load(&stop)) {
        void *block = malloc(64);
        free(realloc(block, 128));
    }
    return NULL;
}

static void leak_blocks(int count)
{
    for (int i = 0; i < count; i++) {
        char *block = malloc(1000);
        memset(block, i, 1000);
        __asm__ volatile("" : : "r"(block) : "memory"); /* lost */
    }
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    pthread_t workers[64];
    for (int i = 0; i < 100; i++)
        early[i] = malloc(100 + i);
    for (int i = 0; i < threads && i < 64; i++)
        pthread_create(&workers[i], NULL, churn, NULL);
    printf("ready\n");
    fflush(stdout);
    bool busy = argc > 2 && strcmp(argv[2], "busy") == 0;
    if (argc > 2 && strcmp(argv[2], "usr2") == 0)
        signal(SIGUSR2, on_usr2);
    if (busy)
        fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    char line[128];
    for (;;) {
        if (!fgets(line, sizeof line, stdin)) {
            if (!busy || feof(stdin) || errno != EAGAIN)
                break;
            clearerr(stdin);
            for (int i = 0; i < 1000; i++)
                free(realloc(malloc(32), 96));
            continue;
        }
        int count;
        if (sscanf(line, "leak %d", &count) == 1) {
            leak_blocks(count);
            printf("leaked %d\n", count);
        } else if (strncmp(line, "free-early", 10) == 0) {
            for (int i = 0; i < 50; i++)
                free(early[i]);
            for (int i = 50; i < 100; i++)
                free(realloc(early[i], 5000));
            printf("freed-early\n");
        } else if (strncmp(line, "usr2", 4) == 0) {
            printf("usr2 %d\n", (int)usr2_count);
        } else if (strncmp(line, "quit", 4) == 0) {
            break;
        }
        fflush(stdout);
    }
    atomic_store(&stop, true);
    for (int i = 0; i < threads && i < 64; i++)
        pthread_join(workers[i], NULL);
    printf("bye\n");
    return 3;
}
