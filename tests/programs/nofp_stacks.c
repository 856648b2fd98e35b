/*
 * nofp_stacks: allocation sites in code built without frame pointers (-O2
 * -fomit-frame-pointer, see tests/build.mk): functions that keep many values live across
 * their calls, so that the compiler uses %rbp as an ordinary register and the frame-pointer
 * chain through them is garbage. Each site is reached through two different callers, from the
 * main thread and from a second thread.
 *   nofp_stacks   prints "ok SUM" (the sum keeps the computations alive).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"

static void *volatile sink;

/* Eight running values live across every call: %rbp is needed as a general register. */
SITE unsigned long busy_leaf(unsigned long seed, size_t size)
{
    unsigned long a = seed, b = seed * 3, c = seed ^ 7, d = seed + 11, e = seed * 5, f = seed ^ 13,
                  g = seed + 17, h = seed * 9;
    for (int i = 0; i < 4; i++) {
        char *block = malloc(size + (size_t)i);
        if (!block)
            exit(2);
        memset(block, (int)a, 8);
        sink = block;
        free(block);
        a += b ^ c;
        b += c * d;
        c ^= d + e;
        d += e ^ f;
        e *= f | 1;
        f += g ^ h;
        g ^= h + a;
        h += a ^ b;
    }
    return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
}

SITE unsigned long quiet_leaf(size_t size)
{
    char *block = calloc(1, size);
    if (!block)
        exit(2);
    sink = block;
    unsigned long value = (unsigned long)block[0] + size;
    free(block);
    return value;
}

SITE unsigned long middle_one(unsigned long seed)
{
    unsigned long a = seed, b = seed * 7, c = seed ^ 5, d = seed + 3, e = seed * 11, f = seed ^ 9;
    for (int i = 0; i < 3; i++) {
        a += busy_leaf(a + b, 40 + (size_t)i);
        b ^= quiet_leaf(64) + c;
        c += d * e;
        d ^= e + f;
        e += f ^ a;
        f *= a | 1;
    }
    return a ^ b ^ c ^ d ^ e ^ f;
}

SITE unsigned long middle_two(unsigned long seed)
{
    unsigned long a = seed, b = seed * 13, c = seed ^ 21, d = seed + 5, e = seed * 3, f = seed ^ 1;
    for (int i = 0; i < 2; i++) {
        a += busy_leaf(a ^ b, 100);
        b += quiet_leaf(200) ^ c;
        c ^= d + e;
        d += e * f;
        e ^= f + a;
        f += a | 3;
    }
    return a ^ b ^ c ^ d ^ e ^ f;
}

SITE void *worker(void *argument)
{
    unsigned long *result = argument;
    for (int i = 0; i < 50; i++)
        *result += middle_one((unsigned long)i) + middle_two((unsigned long)i * 3);
    return NULL;
}

int main(void)
{
    unsigned long sum = 0, other = 0;
    pthread_t thread;
    if (pthread_create(&thread, NULL, worker, &other) != 0)
        return 3;
    for (int i = 0; i < 50; i++)
        sum += middle_one((unsigned long)i * 5) ^ middle_two((unsigned long)i);
    pthread_join(thread, NULL);
    printf("ok %lu\n", (sum ^ other) & 1);
    return 0;
}
