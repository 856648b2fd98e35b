/*
 * The lock-free tables under concurrency: several threads insert and remove their own
 * addresses in the live table (and each sees exactly its own blocks back), and several threads
 * intern the same stacks at once (and all get the same index for the same stack).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "config.h"
#include "live.h"
#include "stacks.h"

#define THREADS           4
#define BLOCKS_PER_THREAD 200000
#define WINDOW            5000 /* live blocks per thread at any time */

static _Atomic int live_errors;

static void *live_worker(void *argument)
{
    uintptr_t base = ((uintptr_t)argument + 1) << 40;
    for (uintptr_t i = 0; i < BLOCKS_PER_THREAD; i++) {
        struct libleak_live_block block = {(uint32_t)(i % 1000) + 1, i * 16 + 1, (uint32_t)(i % 7)};
        if (!libleak_live_insert((void *)(base + i * 16), block))
            atomic_fetch_add(&live_errors, 1);
        if (i >= WINDOW) {
            uintptr_t old = i - WINDOW;
            struct libleak_live_block found;
            if (!libleak_live_remove((void *)(base + old * 16), &found) || found.size != old * 16 + 1 ||
                found.stack != (uint32_t)(old % 1000) + 1 || found.birth != (uint32_t)(old % 7))
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
            uint32_t index = libleak_stacks_intern(frames, depth);
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
    /* Every thread charged each stack 3 times: counters must add up exactly. */
    int wrong = 0;
    for (int n = 0; n < STACKS && interned[0][n]; n++) {
        struct libleak_stack *stack = libleak_stacks_get(interned[0][n]);
        wrong += atomic_load(&stack->alloc_objects) != (uint64_t)THREADS * 3 * LIBLEAK_OBJECT_ONE ||
                 atomic_load(&stack->alloc_bytes) != THREADS * 3 * 10;
    }
    CHECK(wrong == 0, "%d stacks have wrong counters", wrong);
}

int main(void)
{
    test_live_table();
    test_stack_table();
    return check_result("test_tables");
}
