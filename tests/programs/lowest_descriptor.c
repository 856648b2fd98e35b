/*
 * lowest_descriptor — a program that counts on open() returning the lowest free number:
 * after close(0) a daemon reopens stdin and must get 0; under `ulimit -n 4` a program has one
 * number left (3) and must get it every time. For SECONDS it opens /dev/null, checks the
 * number and closes it again, while a second thread allocates (so that libleak's watch has
 * something to poll and snapshots something to write).
 *
 * Usage: lowest_descriptor SECONDS EXPECTED   (EXPECTED 0: closes 0 first; 3: leaves 0-2)
 * Prints "wrong N failed M opens K"; exit 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

static atomic_bool finished, warmed_up;

static void *allocate(void *arg)
{
    (void)arg;
    void *kept[256] = {0};
    for (unsigned i = 0; !atomic_load(&finished); i++) {
        free(kept[i % 256]);
        kept[i % 256] = malloc(1000 + i % 5000);
        if (i == 20000)
            atomic_store(&warmed_up, true);
    }
    for (int i = 0; i < 256; i++)
        free(kept[i]);
    return NULL;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    double seconds = atof(argv[1]);
    int expected = atoi(argv[2]);
    pthread_t thread;
    if (pthread_create(&thread, NULL, allocate, NULL) != 0)
        return 2;
    /* The first sampled allocations of a thread open files on the allocation path (the
       unwinder learns the thread's stack from /proc/self/maps; issue 19 item 2, not what this
       program measures): they happen before the count starts. */
    while (!atomic_load(&warmed_up))
        sched_yield();
    if (expected == 0)
        close(0);
    long wrong = 0, failed = 0, opens = 0;
    char first_error[128] = "";
    double end = now() + seconds;
    while (now() < end) {
        int fd = open("/dev/null", O_RDONLY);
        opens++;
        if (fd < 0) {
            if (!failed++)
                snprintf(first_error, sizeof first_error, " (%s)", strerror(errno));
            continue;
        }
        if (fd != expected)
            wrong++;
        close(fd);
    }
    atomic_store(&finished, true);
    pthread_join(thread, NULL);
    printf("wrong %ld failed %ld%s opens %ld\n", wrong, failed, first_error, opens);
    return 0;
}
