/*
 * check_cache: a program that both caches and leaks, for the sampled leak check
 * (tests/cases/check_on_demand_sampled.sh). cache_insert keeps 20000 nodes of 512 bytes in a
 * global hash table of chained lists (only the first node of a chain is pointed to from the
 * table in .bss; the others from the node before them, in the heap); leak_block drops 20000
 * blocks of 512 bytes, each holding a pointer to itself. Then one libleak_check_now(), whose
 * result is printed on stderr; the cache is looked up after it (it is still in use), and the
 * program ends with status 0. With "threads", 4 workers keep allocating and freeing during the
 * check (each holds its last 16 blocks in an array on its stack: reachable), and are stopped
 * and joined after it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libleak.h"
#include "site.h"
#define SCRUB_STACK_BYTES 16384
#include "scrub_stack.h"

#define BUCKETS 1024
#define COUNT 20000

struct node {
    struct node *next;
    unsigned key;
    char payload[512 - sizeof(struct node *) - sizeof(unsigned)];
};

static struct node *table[BUCKETS];

SITE void cache_insert(unsigned key)
{
    struct node *node = malloc(sizeof *node);
    memset(node, 0, sizeof *node);
    node->key = key;
    node->next = table[key % BUCKETS];
    table[key % BUCKETS] = node;
}

SITE void leak_block(void)
{
    char *p = malloc(512);
    memset(p, 'x', 512);
    memcpy(p + 64, &p, sizeof p); /* points to itself: that must not keep it */
    __asm__ volatile("" ::"r"(p) : "memory");
}

static atomic_bool stop;

SITE void *worker(void *unused)
{
    (void)unused;
    void *ring[16] = {0};
    for (unsigned i = 0; !atomic_load(&stop); i++) {
        free(ring[i % 16]);
        ring[i % 16] = malloc(64 + i % 4096);
        memset(ring[i % 16], 1, 64);
    }
    for (unsigned i = 0; i < 16; i++)
        free(ring[i]);
    return NULL;
}

int main(int argc, char **argv)
{
    for (unsigned i = 0; i < COUNT; i++) {
        cache_insert(i);
        leak_block();
    }
    scrub_stack();
    int workers = argc > 1 && strcmp(argv[1], "threads") == 0 ? 4 : 0;
    pthread_t threads[4];
    for (int t = 0; t < workers; t++)
        pthread_create(&threads[t], NULL, worker, NULL);
    long lost = libleak_check_now ? libleak_check_now() : -1;
    fprintf(stderr, "check_cache: libleak_check_now returned %ld\n", lost);
    atomic_store(&stop, true);
    for (int t = 0; t < workers; t++)
        pthread_join(threads[t], NULL);
    if (workers)
        printf("workers %d\n", workers);
    unsigned found = 0;
    for (unsigned b = 0; b < BUCKETS; b++)
        for (struct node *n = table[b]; n; n = n->next)
            found++;
    printf("cached %u\n", found);
    return 0;
}
