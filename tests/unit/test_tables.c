/*
 * The lock-free tables under concurrency: several threads insert and remove their own
 * addresses in the live table (and each sees exactly its own blocks back); threads free blocks
 * that other threads inserted; a long churn keeps lookups short and generations few; sizes of
 * any magnitude come back exactly; several threads intern the same stacks at once (and all get
 * the same index for the same stack); counters striped per thread add up exactly, also after
 * their threads have exited. Also built with ThreadSanitizer and ASan+UBSan
 * (tests/cases/sanitize_*.sh).
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "core/config.h"
#include "alloc/live.h"
#include "alloc/memory.h"
#include "alloc/stacks.h"

#define THREADS           4
#define BLOCKS_PER_THREAD 200000
#define WINDOW            5000 /* live blocks per thread at any time */

static _Atomic int live_errors;

static void *live_worker(void *argument)
{
    uintptr_t base = ((uintptr_t)argument + 1) << 40;
    for (uintptr_t i = 0; i < BLOCKS_PER_THREAD; i++) {
        struct libleak_live_block block = {.stack = (uint32_t)(i % 1000) + 1, .birth_nanos = 7000000512, .size = i * 16 + 1};
        if (!libleak_live_insert((void *)(base + i * 16), block))
            atomic_fetch_add(&live_errors, 1);
        if (i >= WINDOW) {
            uintptr_t old = i - WINDOW;
            struct libleak_live_block found;
            if (!libleak_live_remove((void *)(base + old * 16), &found) || found.size != old * 16 + 1 ||
                found.stack != (uint32_t)(old % 1000) + 1 || libleak_live_birth_seconds(found) != 7)
                atomic_fetch_add(&live_errors, 1);
        }
        /* An address never inserted must not be found. */
        struct libleak_live_block none;
        if (i % 64 == 0 && libleak_live_remove((void *)(base + i * 16 + 8), &none))
            atomic_fetch_add(&live_errors, 1);
    }
    return NULL;
}

static void count_block(uintptr_t address, struct libleak_live_block block, void *context)
{
    (void)address;
    (void)block;
    (*(uint64_t *)context)++;
}

static void test_live_table(void)
{
    pthread_t threads[THREADS];
    for (intptr_t t = 0; t < THREADS; t++)
        pthread_create(&threads[t], NULL, live_worker, (void *)t);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    CHECK(atomic_load(&live_errors) == 0, "%d inserts/removes went wrong", atomic_load(&live_errors));
    CHECK(libleak_live_count() == THREADS * WINDOW, "live count %llu, expected %d",
          (unsigned long long)libleak_live_count(), THREADS * WINDOW);
    uint64_t seen = 0;
    libleak_live_for_each(count_block, &seen);
    CHECK(seen == THREADS * WINDOW, "enumerated %llu blocks, expected %d", (unsigned long long)seen,
          THREADS * WINDOW);
    /* The filter must say "maybe" for every live block. */
    int missed = 0;
    for (uintptr_t t = 0; t < THREADS; t++)
        for (uintptr_t i = BLOCKS_PER_THREAD - WINDOW; i < BLOCKS_PER_THREAD; i++)
            missed += !libleak_live_maybe_tracked((void *)(((t + 1) << 40) + i * 16));
    CHECK(missed == 0, "the filter missed %d live blocks", missed);
}

#define STACKS 2000
static uint32_t interned[THREADS][STACKS];

static void make_stack(int n, uintptr_t *frames, int *depth)
{
    *depth = 1 + n % 20;
    for (int i = 0; i < *depth; i++)
        frames[i] = 0x400000 + (uintptr_t)n * 64 + (uintptr_t)i;
}

static void *stack_worker(void *argument)
{
    intptr_t t = (intptr_t)argument;
    for (int round = 0; round < 3; round++)
        for (int n = 0; n < STACKS; n++) {
            int k = (int)((n * 7 + t * 13) % STACKS); /* threads race on different orders */
            uintptr_t frames[32];
            int depth;
            make_stack(k, frames, &depth);
            uint32_t index = libleak_stacks_intern(frames, depth, 0);
            if (round == 0)
                interned[t][k] = index;
            else if (interned[t][k] != index)
                interned[t][k] = 0;
            struct libleak_weight one = {LIBLEAK_OBJECT_ONE, 10};
            libleak_stacks_charge(libleak_stacks_get(index), one, true);
        }
    return NULL;
}

static void test_stack_table(void)
{
    CHECK(libleak_stacks_init(1 << 16), "stacks_init failed");
    pthread_t threads[THREADS];
    for (intptr_t t = 0; t < THREADS; t++)
        pthread_create(&threads[t], NULL, stack_worker, (void *)t);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    int mismatches = 0, zero = 0;
    for (int n = 0; n < STACKS; n++) {
        zero += interned[0][n] == 0;
        for (int t = 1; t < THREADS; t++)
            mismatches += interned[t][n] != interned[0][n];
    }
    CHECK(zero == 0 && mismatches == 0, "%d stacks lost, %d interned differently", zero, mismatches);
    CHECK(libleak_stacks_count() == STACKS, "%llu stacks, expected %d",
          (unsigned long long)libleak_stacks_count(), STACKS);
    /* Every thread charged each stack 3 times (and has exited since, handing its stripe
       back): counters must add up exactly. */
    int wrong = 0;
    for (int n = 0; n < STACKS && interned[0][n]; n++) {
        struct libleak_stack_totals totals;
        libleak_stacks_totals(libleak_stacks_get(interned[0][n]), &totals);
        wrong += totals.alloc_objects != (uint64_t)THREADS * 3 * LIBLEAK_OBJECT_ONE ||
                 totals.alloc_bytes != THREADS * 3 * 10;
    }
    CHECK(wrong == 0, "%d stacks have wrong counters", wrong);
}

/* Waves of short-lived threads charge one stack, allocating on one thread and freeing on
   another: no stripe is lost when threads exit, and stripes are reused, not multiplied. */
#define WAVES        20
#define WAVE_THREADS 8
#define CHARGES      1000
static uint32_t wave_stack;

static void *charge_worker(void *argument)
{
    bool allocation = (intptr_t)argument & 1;
    struct libleak_weight weight = {LIBLEAK_OBJECT_ONE, 24};
    for (int i = 0; i < CHARGES; i++) {
        libleak_stacks_charge(libleak_stacks_get(wave_stack), weight, allocation);
    }
    return NULL;
}

static void test_stripes_outlive_threads(void)
{
    uintptr_t frames[3] = {0x500001, 0x500002, 0x500003};
    wave_stack = libleak_stacks_intern(frames, 3, 0);
    CHECK(wave_stack != 0, "intern failed");
    uint64_t samples_before = libleak_stacks_samples(); /* an allocation's charge is a sample */
    for (int wave = 0; wave < WAVES; wave++) {
        pthread_t threads[WAVE_THREADS];
        for (intptr_t t = 0; t < WAVE_THREADS; t++)
            pthread_create(&threads[t], NULL, charge_worker, (void *)t);
        for (int t = 0; t < WAVE_THREADS; t++)
            pthread_join(threads[t], NULL);
    }
    struct libleak_stack_totals totals;
    libleak_stacks_totals(libleak_stacks_get(wave_stack), &totals);
    const uint64_t each = (uint64_t)WAVES * WAVE_THREADS / 2 * CHARGES;
    CHECK(totals.alloc_objects == each * LIBLEAK_OBJECT_ONE && totals.alloc_bytes == each * 24 &&
                  totals.free_objects == each * LIBLEAK_OBJECT_ONE && totals.free_bytes == each * 24,
          "totals %llu %llu %llu %llu, expected %llu objects of 24 bytes each way",
          (unsigned long long)totals.alloc_objects, (unsigned long long)totals.alloc_bytes,
          (unsigned long long)totals.free_objects, (unsigned long long)totals.free_bytes,
          (unsigned long long)each);
    CHECK(libleak_stacks_samples() - samples_before == each, "%llu samples counted, expected %llu",
          (unsigned long long)(libleak_stacks_samples() - samples_before), (unsigned long long)each);
}

/* Blocks inserted by one thread and removed by another, as a program frees what another
   thread allocated: each must come back exactly once. */
#define HANDOFF_BLOCKS 100000
static _Atomic uintptr_t handoff[HANDOFF_BLOCKS];
static _Atomic int handoff_errors;

static void *handoff_producer(void *argument)
{
    (void)argument;
    for (uintptr_t i = 0; i < HANDOFF_BLOCKS; i++) {
        uintptr_t address = (9ULL << 40) + i * 32;
        struct libleak_live_block block = {.stack = 5, .birth_nanos = 3000000512, .size = i + 1};
        if (!libleak_live_insert((void *)address, block))
            atomic_fetch_add(&handoff_errors, 1);
        atomic_store_explicit(&handoff[i], address, memory_order_release);
    }
    return NULL;
}

static void *handoff_consumer(void *argument)
{
    (void)argument;
    for (uintptr_t i = 0; i < HANDOFF_BLOCKS; i++) {
        uintptr_t address;
        while (!(address = atomic_load_explicit(&handoff[i], memory_order_acquire)))
            sched_yield();
        struct libleak_live_block found;
        if (!libleak_live_remove((void *)address, &found) || found.size != i + 1 || found.stack != 5 ||
            libleak_live_birth_seconds(found) != 3)
            atomic_fetch_add(&handoff_errors, 1);
    }
    return NULL;
}

static void test_frees_on_other_threads(void)
{
    uint64_t before = libleak_live_count();
    pthread_t producer, consumer;
    pthread_create(&producer, NULL, handoff_producer, NULL);
    pthread_create(&consumer, NULL, handoff_consumer, NULL);
    pthread_join(producer, NULL);
    pthread_join(consumer, NULL);
    CHECK(atomic_load(&handoff_errors) == 0, "%d hand-offs went wrong", atomic_load(&handoff_errors));
    CHECK(libleak_live_count() == before, "live count %llu, expected %llu",
          (unsigned long long)libleak_live_count(), (unsigned long long)before);
}

/* Sizes of a terabyte and more come back exactly (they used to be cut to 40 bits), and so do
   ages. */
static void test_huge_sizes(void)
{
    const uint64_t sizes[] = {1ULL << 40, (2ULL << 40) + 12345, (1ULL << 63) + 1, UINT64_MAX, 0};
    for (int i = 0; i < 5; i++) {
        void *address = (void *)((11ULL << 40) + (uintptr_t)i * 64);
        struct libleak_live_block block = {.stack = 0xABCDEF, .birth_nanos = 280000000ull * 1000000000 + 123456512, .size = sizes[i]};
        CHECK(libleak_live_insert(address, block), "insert of size %llu", (unsigned long long)sizes[i]);
        struct libleak_live_block found = {0};
        CHECK(libleak_live_remove(address, &found) && found.size == sizes[i] && found.stack == 0xABCDEF &&
                      libleak_live_birth_seconds(found) == 280000000u && found.birth_nanos == 280000000ull * 1000000000 + 123456512,
              "size %llu came back as %llu (stack %x, birth %u)", (unsigned long long)sizes[i],
              (unsigned long long)found.size, found.stack, libleak_live_birth_seconds(found));
    }
    uint32_t now = libleak_live_now_seconds();
    CHECK(now < 60, "%u seconds since start in a unit test", now);
}

/* Churn through many generations: 8 million inserts and removes with 64 000 blocks live.
   Tombstones must not accumulate: a lookup that misses examines few slots, and few
   generations are in the walk, at the end as at the start. The first half million operations
   (the window turns over about 8 times) are a warm-up, printed but not held to the bound. */
static void test_long_churn(void)
{
    enum { WINDOW_BLOCKS = 64000 };
    const uintptr_t base = 13ULL << 40;
    /* Fewer under the sanitizers (tests/cases/sanitize_*.sh), which run 5-20 times slower. */
    const long operations = getenv("LIBLEAK_TEST_CHURN") ? atol(getenv("LIBLEAK_TEST_CHURN")) : 8000000;
    enum { WARM_UP = 500000, MEASURE_EVERY = 250000 };
    uint64_t worst_miss = 0, worst_generations = 0, warm_up_miss = 0;
    uint64_t seed = 88172645463325252ULL;
    static uintptr_t window[WINDOW_BLOCKS];
    long next = 1;
    for (int i = 0; i < WINDOW_BLOCKS; i++) {
        window[i] = base + (uintptr_t)next++ * 16;
        libleak_live_insert((void *)window[i], (struct libleak_live_block){.stack = 1, .size = 16});
    }
    int errors = 0;
    for (long i = 0; i < operations; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        size_t j = seed % WINDOW_BLOCKS;
        struct libleak_live_block found;
        errors += !libleak_live_remove((void *)window[j], &found);
        window[j] = base + (uintptr_t)next++ * 16;
        errors +=
                !libleak_live_insert((void *)window[j], (struct libleak_live_block){.stack = 1, .size = 16});
        if (i % MEASURE_EVERY == MEASURE_EVERY - 1) {
            uint64_t miss = 0;
            for (int k = 0; k < 1000; k++) /* addresses never inserted: 8 bytes off */
                miss += libleak_live_probe_cost((void *)(base + (uintptr_t)(next - 1 - k * 31) * 16 + 8));
            if (getenv("LONG_CHURN_TRACE"))
                printf("%ld: %.2f %u\n", i + 1, (double)miss / 1000, libleak_live_generations());
            if (i < WARM_UP) {
                if (miss > warm_up_miss)
                    warm_up_miss = miss;
                continue;
            }
            if (miss > worst_miss)
                worst_miss = miss;
            if (libleak_live_generations() > worst_generations)
                worst_generations = libleak_live_generations();
        }
    }
    CHECK(errors == 0, "%d lost inserts or removes", errors);
    CHECK(operations >= WARM_UP + MEASURE_EVERY, "%ld operations: none measured after the warm-up", operations);
    /* Half-full tables of linear probing: about 2.5 slots per miss and generation. */
    CHECK(worst_miss <= 1000 * 32, "a missing lookup examined %.1f slots on average",
          (double)worst_miss / 1000);
    CHECK(worst_generations <= 16 * 12, "%llu generations in the walk",
          (unsigned long long)worst_generations);
    for (int i = 0; i < WINDOW_BLOCKS; i++) {
        struct libleak_live_block found;
        errors += !libleak_live_remove((void *)window[i], &found);
    }
    CHECK(errors == 0, "%d blocks not found at the end", errors);
    printf("long churn: %llu KiB mapped; ", (unsigned long long)libleak_memory_mapped() >> 10);
    printf("long churn: %.2f slots per missing lookup at worst after the warm-up (%.2f during it), "
           "%llu generations at most\n",
           (double)worst_miss / 1000, (double)warm_up_miss / 1000, (unsigned long long)worst_generations);
}

int main(void)
{
    /* First, on empty tables: single-threaded, so its costs do not depend on where the
       concurrent tests' interleaving left their 20 000 surviving blocks (with them in place,
       14 to 44 slots per miss from run to run under ThreadSanitizer). */
    test_long_churn();
    test_live_table();
    test_frees_on_other_threads();
    test_huge_sizes();
    test_stack_table();
    test_stripes_outlive_threads();
    return check_result("test_tables");
}
