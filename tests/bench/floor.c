/*
 * The interposition floor: what any LD_PRELOAD profiler pays before it does any profiling.
 * Every malloc-family entry point forwards to dlsym(RTLD_NEXT) and allocations subtract their
 * size from a thread-local countdown, exactly the fast path libleak is meant to have, and
 * nothing else: no sampling, no table, no unwinding. libleak at the default rate is measured
 * against this (target: within 2 %), so that the table separates the price of interposition,
 * which nobody can avoid, from the price of libleak's own work.
 */
#include <dlfcn.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define EXPORT __attribute__((visibility("default")))

/* initial-exec: a general-dynamic TLS access may call malloc from __tls_get_addr. */
static __thread long countdown __attribute__((tls_model("initial-exec"))) = 524288;

/*
 * dlsym may call calloc (for its error buffer) before the real pointers are known: those few
 * requests come from here and are never passed to the real free.
 */
static _Alignas(64) char boot[8192];
static size_t boot_used;

static void *(*real_malloc)(size_t);
static void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void *(*real_memalign)(size_t, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static size_t (*real_malloc_usable_size)(void *);
static int resolving;

static void *boot_alloc(size_t n)
{
    size_t at = (boot_used + 15) & ~(size_t)15;
    if (n > sizeof boot - at)
        return NULL;
    boot_used = at + n;
    return boot + at; /* static storage: already zero, as calloc wants */
}

static int is_boot(const void *p)
{
    return (const char *)p >= boot && (const char *)p < boot + sizeof boot;
}

/* Resolved once, from the constructor or from the first call, whichever comes first. */
static void resolve(void)
{
    if (real_malloc || resolving)
        return;
    resolving = 1;
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
    real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
    real_valloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "valloc");
    real_pvalloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "pvalloc");
    real_malloc_usable_size = (size_t(*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
    /* Last: a non-null real_malloc is the sign that every pointer is ready. */
    __atomic_store_n(&real_malloc, (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc"), __ATOMIC_RELEASE);
    resolving = 0;
}

__attribute__((constructor)) static void floor_init(void)
{
    resolve();
}

/* The countdown: the one thing libleak's fast path must do per allocation. */
static inline void count(size_t n)
{
    if (__builtin_expect((countdown -= (long)n) < 0, 0))
        countdown = 524288;
}

EXPORT void *malloc(size_t n)
{
    if (__builtin_expect(!real_malloc, 0)) {
        resolve();
        if (!real_malloc)
            return boot_alloc(n);
    }
    count(n);
    return real_malloc(n);
}

EXPORT void free(void *p)
{
    if (__builtin_expect(is_boot(p), 0))
        return;
    if (__builtin_expect(!real_free, 0))
        resolve();
    real_free(p);
}

EXPORT void *calloc(size_t m, size_t n)
{
    if (__builtin_expect(!real_malloc, 0)) {
        resolve();
        if (!real_malloc) {
            size_t total;
            if (__builtin_mul_overflow(m, n, &total))
                return NULL;
            return boot_alloc(total);
        }
    }
    count(m * n);
    return real_calloc(m, n);
}

EXPORT void *realloc(void *p, size_t n)
{
    if (__builtin_expect(!real_malloc, 0)) {
        resolve();
        if (!real_malloc && !p)
            return boot_alloc(n);
    }
    if (__builtin_expect(is_boot(p), 0)) {
        /* A bootstrap block cannot be grown in place: copy it out to a real one. */
        char *q = malloc(n);
        if (q) {
            size_t have = (size_t)(boot + sizeof boot - (char *)p);
            for (size_t i = 0; i < n && i < have; i++)
                q[i] = ((char *)p)[i];
        }
        return q;
    }
    count(n);
    return real_realloc(p, n);
}

EXPORT void *memalign(size_t a, size_t n)
{
    if (__builtin_expect(!real_malloc, 0))
        resolve();
    count(n);
    return real_memalign(a, n);
}

EXPORT int posix_memalign(void **out, size_t a, size_t n)
{
    if (__builtin_expect(!real_malloc, 0))
        resolve();
    count(n);
    return real_posix_memalign(out, a, n);
}

EXPORT void *aligned_alloc(size_t a, size_t n)
{
    if (__builtin_expect(!real_malloc, 0))
        resolve();
    count(n);
    return real_aligned_alloc(a, n);
}

EXPORT void *valloc(size_t n)
{
    if (__builtin_expect(!real_malloc, 0))
        resolve();
    count(n);
    return real_valloc(n);
}

EXPORT void *pvalloc(size_t n)
{
    if (__builtin_expect(!real_malloc, 0))
        resolve();
    count(n);
    return real_pvalloc(n);
}

EXPORT size_t malloc_usable_size(void *p)
{
    if (is_boot(p))
        return 0; /* unknown length; nobody asks for a dlsym buffer's */
    if (__builtin_expect(!real_malloc, 0))
        resolve();
    return real_malloc_usable_size(p);
}
