/*
 * check_cache: a program that both caches and leaks, for the sampled leak check
 * (tests/cases/check_on_demand_sampled.sh). cache_insert keeps 20000 nodes of 512 bytes in a
 * global hash table of chained lists (only the first node of a chain is pointed to from the
 * table in .bss; the others from the node before them, in the heap); leak_block drops 20000
 * blocks of 512 bytes, each holding a pointer to itself. Then one libleak_check_now(), whose result is printed on stderr; the
 * cache is looked up after it (it is still in use), and the program ends with status 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libleak.h"
#include "site.h"

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

SITE void scrub_stack(void)
{
    volatile char junk[16384];
    memset((char *)junk, 0, sizeof junk);
}

int main(void)
{
    for (unsigned i = 0; i < COUNT; i++) {
        cache_insert(i);
        leak_block();
    }
    scrub_stack();
    long lost = libleak_check_now ? libleak_check_now() : -1;
    fprintf(stderr, "check_cache: libleak_check_now returned %ld\n", lost);
    unsigned found = 0;
    for (unsigned b = 0; b < BUCKETS; b++)
        for (struct node *n = table[b]; n; n = n->next)
            found++;
    printf("cached %u\n", found);
    return 0;
}
