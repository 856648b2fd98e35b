/*
 * dlopen_stress: LOADERS threads dlopen and dlclose libraries in a loop (each load and unload
 * takes the dynamic loader's lock and allocates inside it) while ALLOCATORS threads allocate
 * from deep stacks (each sampled allocation unwinds, which asks the loader about modules).
 * This is the deadlock every preloaded profiler has had; the program must simply finish.
 *   dlopen_stress [ROUNDS]   prints "opened N times" and "done"
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"
enum { LOADERS = 3, ALLOCATORS = 3 };

static const char *candidates[] = {
        "libexpat.so.1", "libffi.so.8", "libgmp.so.10", "libresolv.so.2",
        "libcrypt.so.1", "libanl.so.1", "libz.so.1",    "libm.so.6",
};
enum { CANDIDATES = sizeof candidates / sizeof candidates[0] };
static const char *usable[CANDIDATES];
static int usable_count;
static long rounds;
static volatile int loaders_running;

static void *loader(void *arg)
{
    long index = (long)arg, opened = 0;
    for (long r = 0; r < rounds; r++) {
        const char *name = usable[(r + index) % usable_count];
        void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            fprintf(stderr, "dlopen_stress: %s: %s\n", name, dlerror());
            exit(2);
        }
        opened++;
        void *block = malloc(64 + (size_t)r % 4096); /* allocate between the loader's calls */
        if (!block)
            exit(2);
        free(block);
        if (dlclose(handle) != 0) {
            fprintf(stderr, "dlopen_stress: dlclose %s: %s\n", name, dlerror());
            exit(2);
        }
    }
    return (void *)opened;
}

SITE long descend(int depth, size_t size)
{
    if (depth > 0)
        return descend(depth - 1, size) + 1;
    char *p = malloc(size);
    if (!p)
        exit(2);
    p[0] = 1;
    long value = p[0];
    free(p);
    return value;
}

static void *allocator(void *arg)
{
    long index = (long)arg, sum = 0;
    for (size_t i = 0; __atomic_load_n(&loaders_running, __ATOMIC_RELAXED); i++)
        sum += descend(10 + (int)((i + (size_t)index) % 30), 16 + (i * 7919) % 20000);
    return (void *)sum;
}

int main(int argc, char **argv)
{
    rounds = argc > 1 ? atol(argv[1]) : 300;
    for (int i = 0; i < CANDIDATES; i++) {
        void *handle = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
        if (handle) {
            usable[usable_count++] = candidates[i];
            dlclose(handle);
        }
    }
    if (usable_count < 2) {
        fprintf(stderr, "dlopen_stress: fewer than 2 libraries to load\n");
        return 77;
    }
    loaders_running = 1;
    pthread_t loaders[LOADERS], allocators[ALLOCATORS];
    for (long t = 0; t < ALLOCATORS; t++)
        if (pthread_create(&allocators[t], NULL, allocator, (void *)t) != 0)
            return 2;
    for (long t = 0; t < LOADERS; t++)
        if (pthread_create(&loaders[t], NULL, loader, (void *)t) != 0)
            return 2;
    long opened = 0;
    for (int t = 0; t < LOADERS; t++) {
        void *n;
        pthread_join(loaders[t], &n);
        opened += (long)n;
    }
    __atomic_store_n(&loaders_running, 0, __ATOMIC_RELAXED);
    for (int t = 0; t < ALLOCATORS; t++)
        pthread_join(allocators[t], NULL);
    printf("opened %ld times\n", opened);
    printf("done\n");
    return 0;
}
