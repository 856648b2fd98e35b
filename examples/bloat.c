/*
 * bloat — the same records held two ways: what the wrong data structure costs.
 *
 * 100 000 records of 16 bytes (an id, a value, a timestamp) are kept twice: in a chained
 * hash table that allocates one small node per record (the record, a next pointer and the
 * cached hash: 32 bytes) plus a bucket array, and in one flat array grown by doubling with
 * realloc. Nothing leaks; the question is what each side costs, and the three sample types
 * answer it side by side (numbers of an exact run, LIBLEAK_RATE=1, -n 100000):
 *
 *   inuse_space    hash_table_insert 3.05MB + hash_table_create 1MB, flat_array_append 2MB
 *   inuse_objects  hash_table_insert 100000,                         flat_array_append 1
 *   alloc_space    flat_array_append 4MB: every doubling copied the array (realloc), so
 *                  it allocated twice what it holds; the table allocated what it holds
 *
 * The node table holds twice the bytes for the same data, in 100 000 blocks: each block
 * also costs the allocator a 16-byte header and rounding (not in the profile, which counts
 * requested bytes) and a cache miss to reach. The array's price is paid once, in
 * alloc_space, while it grows.
 *
 *     LIBLEAK_RATE=1 LIBLEAK_OUT=bloat.heap.pb.gz LD_PRELOAD=$PWD/build/libleak.so build/examples/bloat
 *     build/leakprof top -i inuse_space bloat.heap.pb.gz
 *     build/leakprof top -i inuse_objects bloat.heap.pb.gz
 *     build/leakprof top -i alloc_space bloat.heap.pb.gz
 *
 * `make example-bloat` runs it and prints the three tables (examples/classic.sh).
 *
 * Usage: bloat [-n RECORDS]   (default 100000). It keeps both structures until exit, so the
 * profile written at exit shows them in use.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct record {
    uint32_t id;
    uint32_t value;
    uint64_t timestamp;
};

/* ---- a chained hash table: one node per record ---- */

struct node {
    struct record record;
    struct node *next;
    uint64_t hash;
};

struct hash_table {
    struct node **buckets;
    size_t bucket_count, count;
};

static uint64_t hash_id(uint32_t id)
{
    uint64_t h = id * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

__attribute__((noinline)) void hash_table_create(struct hash_table *table, size_t expected)
{
    table->bucket_count = 1;
    while (table->bucket_count < expected)
        table->bucket_count *= 2;
    table->buckets = calloc(table->bucket_count, sizeof *table->buckets);
    table->count = 0;
}

__attribute__((noinline)) void hash_table_insert(struct hash_table *table, const struct record *record)
{
    struct node *node = malloc(sizeof *node);
    if (!node)
        return;
    node->record = *record;
    node->hash = hash_id(record->id);
    size_t bucket = node->hash & (table->bucket_count - 1);
    node->next = table->buckets[bucket];
    table->buckets[bucket] = node;
    table->count++;
}

/* ---- a flat array grown by doubling ---- */

struct flat_array {
    struct record *records;
    size_t count, capacity;
};

__attribute__((noinline)) void flat_array_append(struct flat_array *array, const struct record *record)
{
    if (array->count == array->capacity) {
        size_t capacity = array->capacity ? array->capacity * 2 : 16;
        struct record *grown = realloc(array->records, capacity * sizeof *grown);
        if (!grown)
            return;
        array->records = grown;
        array->capacity = capacity;
    }
    array->records[array->count++] = *record;
}

static struct hash_table table; /* both kept to exit: the exit profile shows them */
static struct flat_array array;

int main(int argc, char **argv)
{
    long records = 100000;
    int opt;
    while ((opt = getopt(argc, argv, "n:")) != -1) {
        if (opt != 'n' || (records = strtol(optarg, NULL, 10)) <= 0) {
            fprintf(stderr, "usage: bloat [-n RECORDS]\n");
            return 2;
        }
    }
    hash_table_create(&table, (size_t)records);
    for (long i = 0; i < records; i++) {
        struct record r = {(uint32_t)i, (uint32_t)(i * 7), 1700000000u + (uint64_t)i};
        hash_table_insert(&table, &r);
        flat_array_append(&array, &r);
    }
    printf("bloat: %ld records of %zu bytes: hash table %zu nodes of %zu bytes + %zu buckets; "
           "flat array %zu of %zu slots\n",
           records, sizeof(struct record), table.count, sizeof(struct node), table.bucket_count, array.count,
           array.capacity);
    return 0;
}
