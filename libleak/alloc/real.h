/*
 * real — the allocator we forward to (glibc's, or jemalloc/tcmalloc preloaded before us),
 * found with dlsym(RTLD_NEXT), and the bootstrap buffer that serves the few requests made
 * before it is known (dlsym itself calls calloc).
 */
#ifndef LIBLEAK_REAL_H
#define LIBLEAK_REAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct libleak_real_allocator {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*memalign)(size_t, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    size_t (*malloc_usable_size)(void *);
};

extern struct libleak_real_allocator libleak_real;

/* Resolves libleak_real; safe to call again and from several threads. Returns true once the
   real functions are known; false while dlsym is still running (callers then use the
   bootstrap buffer). */
bool libleak_real_resolve(void);

/* From now on the real functions are looked up in the global scope, not after us (an attach:
   libleak.so loaded by dlopen). Call before libleak_real_resolve. */
void libleak_real_from_global_scope(void);

/* The next definition of `name` after libleak.so (dlsym RTLD_NEXT), or NULL. Allocates: call it
   inside libleak, once the real allocator is known. */
void *libleak_real_next(const char *name);

/* The bootstrap buffer: a few KiB served before the real allocator is known. Its blocks are
   never passed to the real free. */
void *libleak_bootstrap_alloc(size_t size, size_t alignment);
extern char libleak_bootstrap_buffer[];
extern const size_t libleak_bootstrap_capacity;
size_t libleak_bootstrap_size(const void *block);

static inline bool libleak_is_bootstrap(const void *block)
{
    return (uintptr_t)block - (uintptr_t)libleak_bootstrap_buffer < libleak_bootstrap_capacity;
}

#endif
