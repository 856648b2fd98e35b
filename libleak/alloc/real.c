/*
 * real — finding the next allocator, and surviving until we have.
 *
 * dlsym(RTLD_NEXT, ...) is how we forward, so libleak stacks on whatever allocator comes after
 * it in the search order. dlsym allocates (calloc for its error state) before it can answer;
 * those requests land in our own hooks while the pointers are still NULL, and are served from
 * a static buffer. A block from that buffer carries its size in a header so that realloc and
 * malloc_usable_size can answer for it; free ignores it.
 */
#include "alloc/real.h"

#include "alloc/live.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

struct libleak_real_allocator libleak_real;

#define BOOTSTRAP_CAPACITY (64 * 1024)
char libleak_bootstrap_buffer[BOOTSTRAP_CAPACITY] __attribute__((aligned(4096)));
const size_t libleak_bootstrap_capacity = BOOTSTRAP_CAPACITY;
static _Atomic size_t bootstrap_used;

struct bootstrap_header {
    size_t size;
    size_t padding; /* keeps the block 16-byte aligned */
};

void *libleak_bootstrap_alloc(size_t size, size_t alignment)
{
    if (alignment < 16)
        alignment = 16;
    size_t used = atomic_load_explicit(&bootstrap_used, memory_order_relaxed);
    for (;;) {
        size_t start = (used + sizeof(struct bootstrap_header) + alignment - 1) & ~(alignment - 1);
        size_t end = start + ((size + 15) & ~(size_t)15);
        if (size > BOOTSTRAP_CAPACITY || end > BOOTSTRAP_CAPACITY)
            return NULL;
        if (atomic_compare_exchange_weak(&bootstrap_used, &used, end)) {
            struct bootstrap_header *header =
                    (struct bootstrap_header *)(libleak_bootstrap_buffer + start) - 1;
            header->size = size;
            /* free must take its slow path for this block, where it is recognised. */
            libleak_live_filter_pin(libleak_bootstrap_buffer + start);
            return libleak_bootstrap_buffer + start; /* static storage: already zero */
        }
    }
}

size_t libleak_bootstrap_size(const void *block)
{
    return ((const struct bootstrap_header *)block - 1)->size;
}

/* Loaded by dlopen for an attach (process/attach.c), RTLD_NEXT would search only our own
   dependencies (libc's malloc, even under a preloaded jemalloc): the program's allocator is
   what the global scope binds, which is what its GOT slots held. */
static bool from_global_scope;

void libleak_real_from_global_scope(void)
{
    from_global_scope = true;
}

static void *next_symbol(const char *name)
{
    return dlsym(from_global_scope ? RTLD_DEFAULT : RTLD_NEXT, name);
}

void *libleak_real_next(const char *name)
{
    return next_symbol(name);
}

/* 0 = nobody started, 1 = a thread is inside dlsym, 2 = done. */
static _Atomic int resolve_state;

static void die(const char *message)
{
    ssize_t ignored = write(2, message, strlen(message));
    (void)ignored;
    _exit(127);
}

bool libleak_real_resolve(void)
{
    int state = atomic_load_explicit(&resolve_state, memory_order_acquire);
    if (state == 2)
        return true;
    if (state == 1 || !atomic_compare_exchange_strong(&resolve_state, &state, 1))
        return atomic_load_explicit(&resolve_state, memory_order_acquire) == 2;

    struct libleak_real_allocator found;
    found.malloc = next_symbol("malloc");
    found.free = next_symbol("free");
    found.calloc = next_symbol("calloc");
    found.realloc = next_symbol("realloc");
    found.memalign = next_symbol("memalign");
    found.posix_memalign = next_symbol("posix_memalign");
    found.aligned_alloc = next_symbol("aligned_alloc");
    found.valloc = next_symbol("valloc");
    found.pvalloc = next_symbol("pvalloc");
    found.malloc_usable_size = next_symbol("malloc_usable_size");
    if (!found.malloc || !found.free || !found.calloc || !found.realloc || !found.posix_memalign)
        die("libleak: no allocator found after libleak.so (dlsym RTLD_NEXT failed)\n");
    /* The rest have fallbacks in hooks.c when an allocator lacks them. malloc goes last, with
       release: a thread that sees it (acquire, hooks.c) sees the whole table. */
    void *(*real_malloc)(size_t) = found.malloc;
    found.malloc = NULL;
    libleak_real = found;
    __atomic_store_n(&libleak_real.malloc, real_malloc, __ATOMIC_RELEASE);
    atomic_store_explicit(&resolve_state, 2, memory_order_release);
    return true;
}
