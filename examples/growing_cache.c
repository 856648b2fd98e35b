/*
 * growing_cache — memory that grows but is not leaked.
 *
 * A lookup service keeps recently used results in a cache bounded to CACHE_CAPACITY entries.
 * While the cache warms up its memory grows with every miss, and a snapshot taken then looks
 * just like a leak: cache_insert() holds more bytes in every snapshot. Once the cache is full,
 * each insert evicts the least recently used entry and the in-use bytes stop growing. At exit
 * the cache is destroyed, so the profile written at exit shows nothing in use for
 * cache_insert.
 *
 * Compare with leaky_server: there the in-use bytes of remember_request grow in every snapshot
 * and are still there at exit. Growth alone is not a leak: a leak keeps growing, and is never
 * given back.
 *
 *     LIBLEAK_RATE=64k LD_PRELOAD=$PWD/build/libleak.so build/examples/growing_cache -t 6 &
 *     sleep 1; kill -USR2 $!; sleep 2; kill -USR2 $!; sleep 2; kill -USR2 $!; wait
 *     build/leakprof growth libleak.growing_cache.*.000[1-3].heap.pb.gz   # grew 1 step of 2
 *     build/leakprof top libleak.growing_cache.*.0004.heap.pb.gz          # at exit: gone
 *
 * Usage: growing_cache [-t SECONDS] [-n LOOKUPS] [-r LOOKUPS_PER_SECOND]
 * It stops after SECONDS (default 6), after LOOKUPS lookups, or on SIGINT/SIGTERM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_loop.h"

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

static volatile unsigned long value_checksum; /* keeps the lookups from being optimized out */

/* A small deterministic generator, so that every run asks for the same keys. */
static unsigned long next_random(unsigned long *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static void lru_unlink(struct cache *c, struct entry *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(struct cache *c, struct entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head != NULL)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
}

static struct entry *cache_find(struct cache *c, unsigned long key)
{
    for (struct entry *e = c->buckets[key % CACHE_CAPACITY]; e != NULL; e = e->bucket_next)
        if (e->key == key)
            return e;
    return NULL;
}

static void cache_evict_oldest(struct cache *c)
{
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
__attribute__((noinline)) struct entry *cache_insert(struct cache *c, unsigned long key)
{
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

__attribute__((noinline)) void lookup(struct cache *c, unsigned long key)
{
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
__attribute__((noinline)) void cache_destroy(struct cache *c)
{
    while (c->tail != NULL)
        cache_evict_oldest(c);
    free(c);
}

/* One request from a client: a key drawn from a fixed sequence, so every run asks the same. */
static void serve_lookup(unsigned long item, void *cache)
{
    static unsigned long random_state = 88172645463325252ul;
    (void)item;
    lookup(cache, next_random(&random_state) % KEY_SPACE);
}

int main(int argc, char **argv)
{
    struct run_options options = {.seconds = 6, .max_items = 0, .rate = 1000};
    run_parse_options(argc, argv, &options,
                      "growing_cache [-t SECONDS] [-n LOOKUPS] [-r LOOKUPS_PER_SECOND]");

    struct cache *c = calloc(1, sizeof *c);
    if (c == NULL) {
        fprintf(stderr, "growing_cache: out of memory\n");
        return 1;
    }
    printf("growing_cache: pid %ld looking up %.0f keys/s, cache bounded to %d entries\n", (long)getpid(),
           options.rate, CACHE_CAPACITY);
    fflush(stdout);

    double elapsed;
    run_paced(&options, serve_lookup, c, &elapsed);

    unsigned long hits = c->hits, lookups = c->hits + c->misses;
    size_t peak = c->peak_bytes;
    cache_destroy(c);
    printf("growing_cache: %lu lookups in %.1f s, %.0f%% hits; the cache peaked at %.1f MB "
           "and was freed before exit\n",
           lookups, elapsed, lookups ? 100.0 * (double)hits / (double)lookups : 0.0, (double)peak / 1e6);
    return 0;
}
