/*
 * run_loop.h — what the examples share, and nothing about memory: their command line
 * (-t SECONDS, -n ITEMS, -r ITEMS_PER_SECOND), a clean stop on SIGINT or SIGTERM, and a loop
 * that does one item of work at a time at a steady rate. The memory behaviour each example
 * demonstrates is in its own .c file.
 */
#ifndef EXAMPLES_RUN_LOOP_H
#define EXAMPLES_RUN_LOOP_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct run_options {
    double seconds;   /* stop after this long */
    double max_items; /* stop after this many items; 0: no limit */
    double rate;      /* items per second */
};

static volatile sig_atomic_t run_stop_requested;

static void run_on_stop_signal(int sig)
{
    (void)sig;
    run_stop_requested = 1;
}

static double run_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_usage(const char *usage)
{
    fprintf(stderr, "usage: %s\n", usage);
    exit(2);
}

static double run_parse_number(const char *arg, const char *usage)
{
    char *end;
    double value = strtod(arg, &end);
    if (end == arg || *end != '\0' || value < 0)
        run_usage(usage);
    return value;
}

/* Reads -t, -n and -r over the defaults in *options, and makes SIGINT/SIGTERM end the loop. */
static void run_parse_options(int argc, char **argv, struct run_options *options, const char *usage)
{
    int opt;
    while ((opt = getopt(argc, argv, "t:n:r:")) != -1) {
        switch (opt) {
        case 't': options->seconds = run_parse_number(optarg, usage); break;
        case 'n': options->max_items = run_parse_number(optarg, usage); break;
        case 'r': options->rate = run_parse_number(optarg, usage); break;
        default: run_usage(usage);
        }
    }
    if (optind != argc || options->rate <= 0)
        run_usage(usage);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = run_on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/*
 * Calls work(item, context) for item = 0, 1, 2, ... at options->rate items per second, in
 * batches of 1/50 s with a sleep between them, until a limit is reached or a stop signal
 * arrives. Returns the number of items done; *elapsed gets the seconds it took.
 */
static unsigned long run_paced(const struct run_options *options,
                               void (*work)(unsigned long item, void *context), void *context,
                               double *elapsed)
{
    const double batch_seconds = 0.02;
    unsigned long done = 0;
    unsigned long limit = options->max_items > 0 ? (unsigned long)options->max_items : ~0ul;
    double start = run_now_seconds(), next_batch = start;
    while (!run_stop_requested && run_now_seconds() - start < options->seconds && done < limit) {
        unsigned long target = (unsigned long)((run_now_seconds() - start) * options->rate) + 1;
        while (done < target && done < limit)
            work(done++, context);
        next_batch += batch_seconds;
        double wait = next_batch - run_now_seconds();
        if (wait > 0) {
            struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
            nanosleep(&ts, NULL);
        }
    }
    *elapsed = run_now_seconds() - start;
    return done;
}

#endif
