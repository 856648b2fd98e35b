/*
 * loader_callbacks: allocates where the dynamic loader or the thread library is in charge —
 * inside dl_iterate_phdr callbacks (the loader's lock is held, and unwinding needs it too) and
 * in a thread-specific-data destructor at thread exit (frees one block, allocates another) —
 * on 8 threads, some of them also dlopen/dlclose-ing. Counts what it keeps and prints
 *   truth in_phdr_callback N BYTES N BYTES
 *   truth in_key_destructor N BYTES N BYTES
 *   truth make_key_block 0 0 N BYTES      (all freed by the destructors)
 */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"
enum { THREADS = 8, ITERATIONS = 30, PHDR_SIZE = 40, KEY_SIZE = 56, DESTRUCTOR_SIZE = 24 };

static void *kept[THREADS * ITERATIONS * 64 + THREADS];
static int kept_count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t key;

static void keep(void *p)
{
    if (!p)
        abort();
    pthread_mutex_lock(&lock);
    if (kept_count < (int)(sizeof kept / sizeof kept[0]))
        kept[kept_count++] = p;
    else
        abort();
    pthread_mutex_unlock(&lock);
}

SITE int in_phdr_callback(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)info;
    (void)size;
    keep(malloc(PHDR_SIZE));
    ++*(int *)data;
    return 0;
}

SITE void in_key_destructor(void *value)
{
    free(value);
    keep(malloc(DESTRUCTOR_SIZE));
}

SITE void *make_key_block(void)
{
    void *p = malloc(KEY_SIZE);
    if (!p)
        abort();
    memset(p, 1, KEY_SIZE);
    return p;
}

static void *worker(void *arg)
{
    long index = (long)arg;
    int *count = calloc(1, sizeof *count);
    if (!count || pthread_setspecific(key, make_key_block()) != 0)
        abort();
    for (int i = 0; i < ITERATIONS; i++) {
        dl_iterate_phdr(in_phdr_callback, count);
        if (index % 2) {
            void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
            if (h)
                dlclose(h);
        }
    }
    return count;
}

int main(void)
{
    if (pthread_key_create(&key, in_key_destructor) != 0)
        return 2;
    pthread_t threads[THREADS];
    for (long t = 0; t < THREADS; t++)
        if (pthread_create(&threads[t], NULL, worker, (void *)t) != 0)
            return 2;
    long callbacks = 0;
    for (int t = 0; t < THREADS; t++) {
        void *count;
        pthread_join(threads[t], &count);
        callbacks += *(int *)count;
        free(count);
    }
    printf("truth in_phdr_callback %ld %ld %ld %ld\n", callbacks, callbacks * PHDR_SIZE, callbacks,
           callbacks * PHDR_SIZE);
    printf("truth in_key_destructor %d %d %d %d\n", THREADS, THREADS * DESTRUCTOR_SIZE, THREADS,
           THREADS * DESTRUCTOR_SIZE);
    printf("truth make_key_block 0 0 %d %d\n", THREADS, THREADS * KEY_SIZE);
    fflush(stdout);
    return 0; /* the kept blocks stay live into the exit profile */
}
