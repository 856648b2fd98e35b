/*
 * growing_cache — memory that grows but is not leaked.
 *
 * A lookup service keeps recently used results in a cache bounded to CACHE_CAPACITY entries.
 * While the cache warms up its memory grows with every miss, and a snapshot taken then looks
 * just like a leak: cache_insert() holds more bytes in every snapshot. Once the cache is full,
 * each insert evicts the least recently used entry and the in-use bytes stop growing. At exit
 * the cache is destroyed, so the profile written at exit shows (almost) nothing in use for
 * cache_insert.
 *
 * Compare with leaky_server: there the in-use bytes of remember_request grow in every snapshot
 * and are still there at exit. Growth alone is not a leak: a leak keeps growing, and is never
 * given back.
 *
 *     LD_PRELOAD=$PWD/build/libleak.so build/examples/growing_cache -t 6 &
 *     sleep 1; kill -USR2 $!; sleep 2; kill -USR2 $!; sleep 2; kill -USR2 $!; wait
 *     build/leakprof growth libleak.growing_cache.*.heap.pb.gz
 *
 * Usage: growing_cache [-t SECONDS] [-n LOOKUPS] [-r LOOKUPS_PER_SECOND]
 * It stops after SECONDS (default 6), after LOOKUPS lookups, or on SIGINT/SIGTERM.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CACHE_CAPACITY 2048  /* entries; values average 8 KiB: about 16 MiB when full */
#define KEY_SPACE      16384 /* distinct keys asked for */

struct entry {
    unsigned long key;
    struct entry *prev, *next; /* LRU list: most recent at the head */
    struct entry *bucket_next; /* hash chain */
    size_t size;
    unsigned char *value;
};

struct cache {
    struct entry *buckets[CACHE_CAPACITY];
    struct entry *head, *tail;
    size_t entries, bytes, peak_bytes;
    unsigned long hits, misses;
};

static volatile sig_atomic_t stop_requested;
static volatile unsigned long value_checksum; /* keeps the lookups from being optimized out */

static void on_stop_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A small deterministic generator, so that every run asks for the same keys. */
static unsigned long next_random(unsigned long *state) {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static void lru_unlink(struct cache *c, struct entry *e) {
    if (e->prev != NULL) e->prev->next = e->next; else c->head = e->next;
    if (e->next != NULL) e->next->prev = e->prev; else c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(struct cache *c, struct entry *e) {
    e->prev = NULL;
    e->next = c->head;
    if (c->head != NULL) c->head->prev = e;
    c->head = e;
    if (c->tail == NULL) c->tail = e;
}

static struct entry *cache_find(struct cache *c, unsigned long key) {
    for (struct entry *e = c->buckets[key % CACHE_CAPACITY]; e != NULL; e = e->bucket_next)
        if (e->key == key)
            return e;
    return NULL;
}

static void cache_evict_oldest(struct cache *c) {
    struct entry *victim = c->tail;
    struct entry **link = &c->buckets[victim->key % CACHE_CAPACITY];
    while (*link != victim)
        link = &(*link)->bucket_next;
    *link = victim->bucket_next;
    lru_unlink(c, victim);
    c->entries--;
    c->bytes -= victim->size;
    free(victim->value);
    free(victim);
}

/* Where the cache's memory is allocated: this is the stack a profile charges it to. */
__attribute__((noinline)) struct entry *cache_insert(struct cache *c, unsigned long key) {
    if (c->entries == CACHE_CAPACITY)
        cache_evict_oldest(c);
    struct entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->key = key;
    e->size = 1024 + (key * 2654435761u) % 14336; /* 1 to 15 KiB, 8 KiB on average */
    e->value = malloc(e->size);
    if (e->value == NULL) {
        free(e);
        return NULL;
    }
    memset(e->value, (int)(key & 0xff), e->size); /* stands in for computing the result */
    e->bucket_next = c->buckets[key % CACHE_CAPACITY];
    c->buckets[key % CACHE_CAPACITY] = e;
    lru_push_front(c, e);
    c->entries++;
    c->bytes += e->size;
    if (c->bytes > c->peak_bytes)
        c->peak_bytes = c->bytes;
    return e;
}

__attribute__((noinline)) void lookup(struct cache *c, unsigned long key) {
    struct entry *e = cache_find(c, key);
    if (e != NULL) {
        c->hits++;
        lru_unlink(c, e);
        lru_push_front(c, e);
    } else {
        c->misses++;
        e = cache_insert(c, key);
    }
    if (e != NULL)
        value_checksum += e->value[e->size / 2];
}

/* Gives every byte back: why the profile written at exit shows nothing in use for the cache. */
__attribute__((noinline)) void cache_destroy(struct cache *c) {
    while (c->tail != NULL)
        cache_evict_oldest(c);
    free(c);
}

static void usage(void) {
    fprintf(stderr, "usage: growing_cache [-t SECONDS] [-n LOOKUPS] [-r LOOKUPS_PER_SECOND]\n");
    exit(2);
}

static double parse_number(const char *arg) {
    char *end;
    double value = strtod(arg, &end);
    if (end == arg || *end != '\0' || value < 0)
        usage();
    return value;
}

int main(int argc, char **argv) {
    double seconds = 6, rate = 1000, max_lookups = 0; /* 0: no lookup limit */
    int opt;
    while ((opt = getopt(argc, argv, "t:n:r:")) != -1) {
        switch (opt) {
        case 't': seconds = parse_number(optarg); break;
        case 'n': max_lookups = parse_number(optarg); break;
        case 'r': rate = parse_number(optarg); break;
        default: usage();
        }
    }
    if (optind != argc || rate <= 0)
        usage();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct cache *c = calloc(1, sizeof *c);
    if (c == NULL) {
        fprintf(stderr, "growing_cache: out of memory\n");
        return 1;
    }
    printf("growing_cache: pid %ld looking up %.0f keys/s, cache bounded to %d entries\n",
           (long)getpid(), rate, CACHE_CAPACITY);
    fflush(stdout);

    /* Lookups come in batches of 1/50 s so that the process sleeps between them. */
    const double batch_seconds = 0.02;
    unsigned long random_state = 88172645463325252ul, done = 0, target;
    double start = now_seconds(), next_batch = start;
    while (!stop_requested && now_seconds() - start < seconds &&
           (max_lookups == 0 || done < (unsigned long)max_lookups)) {
        target = (unsigned long)((now_seconds() - start) * rate) + 1;
        while (done < target && (max_lookups == 0 || done < (unsigned long)max_lookups)) {
            lookup(c, next_random(&random_state) % KEY_SPACE);
            done++;
        }
        next_batch += batch_seconds;
        double wait = next_batch - now_seconds();
        if (wait > 0) {
            struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
            nanosleep(&ts, NULL);
        }
    }

    unsigned long hits = c->hits, lookups = c->hits + c->misses;
    size_t peak = c->peak_bytes;
    cache_destroy(c);
    printf("growing_cache: %lu lookups in %.1f s, %.0f%% hits; the cache peaked at %.1f MB "
           "and was freed before exit\n",
           lookups, now_seconds() - start, lookups ? 100.0 * (double)hits / (double)lookups : 0.0,
           (double)peak / 1e6);
    return 0;
}
