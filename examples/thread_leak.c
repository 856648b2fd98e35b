/*
 * thread_leak — a leak of threads, the C counterpart of Go's goroutine leak.
 *
 * Each request starts a connection thread that allocates a 64 KiB receive buffer and then
 * waits for data on a pipe. Nobody ever writes to that pipe (the request "forgot" to hand
 * over the peer, a classic in error paths), so every thread blocks forever in read(2),
 * holding its buffer. Nothing in the program looks like a leak: no pointer is lost, every
 * buffer is reachable from a live thread. The heap profile shows the buffers, and
 * `leakprof traces` leads to the thread's entry function, connection_main, right above
 * start_thread: look there for the wait that never ends.
 *
 *     LIBLEAK_OUT=thread_leak.%n.heap.pb.gz LD_PRELOAD=$PWD/build/libleak.so \
 *         build/examples/thread_leak -n 200
 *     build/leakprof top thread_leak.exit.heap.pb.gz      # connection_main on top
 *     build/leakprof traces thread_leak.exit.heap.pb.gz   # ... < connection_main < start_thread
 *
 * `make example-thread-leak` runs it and shows both (examples/classic.sh).
 *
 * Usage: thread_leak [-t SECONDS] [-n REQUESTS] [-r REQUESTS_PER_SECOND]
 * It stops after SECONDS (default 2), after REQUESTS requests, or on SIGINT/SIGTERM, and
 * exits with its threads still blocked (exit ends them; the exit profile shows their buffers).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_loop.h"

#define RECEIVE_BUFFER_BYTES (64 * 1024)

struct connection {
    int from_peer;  /* read end: the thread waits here */
    int to_peer;    /* write end: kept, never written (the bug) */
    unsigned long id;
};

static unsigned long threads_started;

/* Waits for the request's data; with nobody writing, this never returns. */
static ssize_t receive(int fd, unsigned char *buffer, size_t size)
{
    ssize_t n;
    do
        n = read(fd, buffer, size);
    while (n < 0 && errno == EINTR);
    return n;
}

/* The thread's entry function: the frame `traces` shows right above start_thread. */
__attribute__((noinline)) void *connection_main(void *argument)
{
    struct connection *c = argument;
    unsigned char *buffer = malloc(RECEIVE_BUFFER_BYTES);
    if (!buffer)
        return NULL;
    memset(buffer, 0, RECEIVE_BUFFER_BYTES);
    ssize_t n = receive(c->from_peer, buffer, RECEIVE_BUFFER_BYTES);
    /* Never reached while the write end stays open. */
    free(buffer);
    close(c->from_peer);
    close(c->to_peer);
    free(c);
    return (void *)(intptr_t)n;
}

__attribute__((noinline)) void handle_request(unsigned long id, void *unused)
{
    (void)unused;
    struct connection *c = malloc(sizeof *c);
    int fds[2];
    if (!c || pipe(fds) != 0) {
        free(c);
        return;
    }
    *c = (struct connection){.from_peer = fds[0], .to_peer = fds[1], .id = id};
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, 128 * 1024); /* many threads, small stacks */
    pthread_t thread;
    if (pthread_create(&thread, &attributes, connection_main, c) == 0) {
        threads_started++;
    } else {
        close(fds[0]);
        close(fds[1]);
        free(c);
    }
    pthread_attr_destroy(&attributes);
}

int main(int argc, char **argv)
{
    struct run_options options = {.seconds = 2, .max_items = 0, .rate = 100};
    run_parse_options(argc, argv, &options, "thread_leak [-t SECONDS] [-n REQUESTS] [-r REQUESTS_PER_SECOND]");
    printf("thread_leak: pid %ld handling %.0f requests/s\n", (long)getpid(), options.rate);
    fflush(stdout);
    double elapsed;
    unsigned long handled = run_paced(&options, handle_request, NULL, &elapsed);
    usleep(200 * 1000); /* let the last threads reach their read */
    printf("thread_leak: %lu requests in %.1f s; %lu threads still blocked, %.1f MB of buffers held\n",
           handled, elapsed, threads_started, (double)threads_started * RECEIVE_BUFFER_BYTES / 1e6);
    return 0;
}
