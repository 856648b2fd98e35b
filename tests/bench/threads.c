/*
 * threads NTHREADS OPS_PER_THREAD [WINDOW]: each thread churns its own window of live blocks
 * like churn, but a third of the blocks it retires are handed to the next thread, which frees
 * them. That is the cross-thread free a profiler's free path must handle without a lock or a
 * shared cache line: the block was sampled (or not) on one thread and is checked on another.
 *
 * The hand-over is a lock-free LIFO per thread (push with compare-and-swap, the owner takes the
 * whole list with one exchange). A single consumer that only ever takes everything has no ABA
 * problem, and the link lives inside the block itself, so the queue costs no allocation of its
 * own that would blur the measurement.
 */
#include "bench.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

struct node {
    struct node *next;
};

/* Threads still churning: until it reaches 0 a finished thread keeps freeing what it is given. */
static atomic_long running;

struct worker {
    _Alignas(64) _Atomic(struct node *) inbox; /* blocks other threads gave us to free */
    atomic_long pending;                       /* how many: the producer's back-pressure */
    long ops;
    uint64_t seed;
    long window;
    struct worker *next; /* where our third of the frees go */
    unsigned long freed_foreign;
};

/*
 * The most blocks a thread may owe its neighbour. Without a bound the hand-over is unstable: a
 * thread that falls behind spends its time freeing the other's blocks (a remote arena, cold
 * lines), falls further behind, and the inbox grows to a million blocks and 600 MB. Waiting for
 * the neighbour instead is worse with 8 threads on 2 cores: the neighbour is often descheduled
 * and the run measures the scheduler (7 s instead of 1). So a block whose neighbour is that far
 * behind is freed by its own thread; BENCH_VERBOSE=1 prints the share that crossed threads
 * (about a third when the threads really run side by side).
 */
#define MAX_PENDING 16384

static void drain(struct worker *w)
{
    struct node *n = atomic_exchange_explicit(&w->inbox, NULL, memory_order_acquire);
    long c = 0;
    while (n) {
        struct node *next = n->next;
        free(n);
        c++;
        n = next;
    }
    w->freed_foreign += (unsigned long)c;
    if (c)
        atomic_fetch_sub_explicit(&w->pending, c, memory_order_relaxed);
}

static void give(struct worker *to, void *block)
{
    atomic_fetch_add_explicit(&to->pending, 1, memory_order_relaxed);
    struct node *n = block;
    struct node *head = atomic_load_explicit(&to->inbox, memory_order_relaxed);
    do {
        n->next = head;
    } while (!atomic_compare_exchange_weak_explicit(&to->inbox, &head, n, memory_order_release,
                                                    memory_order_relaxed));
}

static void *run(void *arg)
{
    struct worker *w = arg;
    void **slot = calloc((size_t)w->window, sizeof *slot);
    if (!slot)
        abort();
    for (long i = 0; i < w->ops; i++) {
        uint64_t r = bench_rand(&w->seed);
        size_t j = (size_t)(r % (uint64_t)w->window);
        size_t size = 16 + (size_t)((r >> 32) % 497);
        if (slot[j]) {
            if ((r >> 16) % 3 == 0 &&
                atomic_load_explicit(&w->next->pending, memory_order_relaxed) < MAX_PENDING)
                give(w->next, slot[j]);
            else
                free(slot[j]);
        }
        char *p = malloc(size);
        if (!p)
            abort();
        p[0] = (char)i;
        slot[j] = p;
        /* Drain often enough that the foreign blocks stay few, like a real hand-over queue. */
        if ((i & 63) == 0)
            drain(w);
    }
    for (long j = 0; j < w->window; j++)
        if (slot[j])
            give(w->next, slot[j]);
    free(slot);
    /*
     * A thread that finished first must go on draining: otherwise its neighbour's third piles up
     * in its inbox for the rest of the run, and the benchmark measures that pile-up (hundreds of
     * megabytes) instead of the allocator.
     */
    atomic_fetch_sub(&running, 1);
    while (atomic_load(&running) > 0) {
        drain(w);
        sched_yield();
    }
    drain(w);
    return NULL;
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 2);
    long ops = bench_arg(argc, argv, 2, 5000000);
    long window = bench_arg(argc, argv, 3, 1000);
    if (n < 1 || n > 256 || window < 1) {
        fprintf(stderr, "usage: threads NTHREADS OPS_PER_THREAD [WINDOW]\n");
        return 2;
    }
    struct worker *w = aligned_alloc(64, sizeof *w * (size_t)n);
    pthread_t *tid = calloc((size_t)n, sizeof *tid);
    if (!w || !tid)
        return 1;
    for (long i = 0; i < n; i++) {
        atomic_init(&w[i].inbox, NULL);
        atomic_init(&w[i].pending, 0);
        w[i].ops = ops;
        w[i].seed = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1);
        w[i].window = window;
        w[i].next = &w[(i + 1) % n];
        w[i].freed_foreign = 0;
    }
    atomic_store(&running, n);
    for (long i = 0; i < n; i++)
        if (pthread_create(&tid[i], NULL, run, &w[i]) != 0)
            return 1;
    for (long i = 0; i < n; i++)
        pthread_join(tid[i], NULL);
    unsigned long foreign = 0;
    for (long i = 0; i < n; i++)
        foreign += w[i].freed_foreign;
    const char *verbose = getenv("BENCH_VERBOSE");
    if (verbose && *verbose == '1')
        fprintf(stderr, "threads: %.1f %% of %ld frees by another thread\n",
                100.0 * (double)foreign / (double)(n * ops), n * ops);
    free(tid);
    free(w);
    return 0;
}
