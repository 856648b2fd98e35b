/*
 * hooks — the malloc family as the program sees it. Nothing else lives here.
 *
 * Fast path of every allocating entry point: subtract the size from this thread's countdown
 * and, while it stays above zero, tail-call the real allocator. No lock, no atomic
 * read-modify-write, no system call, not even a frame. Only when the size reaches the countdown
 * do we call the real function ourselves and take the slow path (track.c) with its result.
 *
 * That needs one invariant (thread.h): a countdown is non-zero only after the real allocator is
 * known. Every thread starts at 0; the slow path resolves the real functions before it sets a
 * countdown, and "inside libleak" is only entered after that.
 *
 * free asks the live filter (one relaxed load) whether the block may have been sampled, and
 * only then looks it up; bootstrap blocks are recognised there too (they pin their filter
 * bucket), so the fast path has no other test. A sampled block leaves the live table *before*
 * the real free: after it, another thread may already get the same address back from malloc
 * and sample it.
 *
 * errno is kept here, and only here on the allocation path. Programs print strerror(errno)
 * after code that allocates, so a successful call leaves errno as the program set it, and a
 * failed one as the real allocator set it (ENOMEM must reach the program). The fast paths touch
 * nothing: the real allocator's errno is the answer. Each slow path saves errno once, on entry,
 * and puts it back on its way out; the code below it (track, stacks, live, unwind, memory, and
 * os/ for the files it reads) may change errno freely. The other ways in keep it the same way,
 * once, at the top: operator new and delete (cxx_hooks.c), the signal handlers (dump.c,
 * gate/stop_world.c), the fork child's handler and the dumper's pause and resume around unshare and
 * setns (dump.c). libleak_dump() sets errno as its answer (include/libleak.h).
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/export.h"
#include "alloc/real.h"
#include "alloc/thread.h"
#include "alloc/track.h"

#define unlikely(x) __builtin_expect(!!(x), 0)
#define SLOW        __attribute__((noinline, cold))

static inline bool countdown_expires(size_t size)
{
    return libleak_countdown_expires(size);
}

static void *bootstrap_alloc(size_t size, size_t alignment)
{
    void *block = libleak_bootstrap_alloc(size, alignment);
    if (!block)
        errno = ENOMEM;
    return block;
}

/* Until dlsym has answered (it allocates while answering), requests are served from the
   bootstrap buffer. */
/* Always inline: the slow paths are cold (optimized for size), yet exact mode runs them on every
   allocation. */
__attribute__((always_inline)) static inline bool real_allocator_known(void)
{
    /* Acquire: real.c publishes malloc last, with release, so the whole table is seen. */
    return __atomic_load_n(&libleak_real.malloc, __ATOMIC_ACQUIRE) || libleak_real_resolve();
}

/* The end of the malloc, calloc and realloc slow paths: the real allocator's `block` (NULL when
   it failed) reached this thread's countdown. errno comes back as the program set it
   (`saved_errno`) when the allocation succeeded, even where the real allocator changed it: when
   brk cannot grow (our own tables may be mapped right after the heap) glibc falls back to mmap
   and succeeds with errno left at ENOMEM. A failed allocation's errno is the allocator's.
   Always inline, like real_allocator_known: a call here cost exact mode 18 instructions. */
__attribute__((always_inline)) static inline void *expired_keeping_errno(void *block, size_t size,
                                                                         int saved_errno)
{
    if (!block)
        saved_errno = errno;
    libleak_countdown_expired(block, size);
    errno = saved_errno;
    return block;
}

SLOW static void *malloc_slow(size_t size)
{
    if (!real_allocator_known())
        return bootstrap_alloc(size, 16);
    int saved_errno = errno;
    return expired_keeping_errno(libleak_real.malloc(size), size, saved_errno);
}

EXPORT void *malloc(size_t size)
{
    if (countdown_expires(size))
        return malloc_slow(size);
    return libleak_real.malloc(size);
}

/* free of a block the filter says may have been sampled, or of a bootstrap block (they pin
   their filter bucket). A function of its own: inline, its errno save made clang push two more
   registers on free's fast path. */
SLOW static void free_tracked(void *block)
{
    if (libleak_is_bootstrap(block))
        return;
    /* Looked up even inside libleak: libleak's own blocks are never in the table, but the
       program's may be freed there, by a new_handler that operator new calls or a signal
       handler that interrupted the slow path; libleak_forget is safe in both. */
    int saved_errno = errno; /* charging the free may map a stripe of counters */
    libleak_forget(block);
    errno = saved_errno;
    libleak_real.free(block); /* known: the block came from the real allocator */
}

EXPORT void free(void *block)
{
    if (!block)
        return;
    if (unlikely(libleak_live_maybe_tracked(block))) {
        free_tracked(block);
        return;
    }
    libleak_real.free(block); /* known: the block came from the real allocator */
}

SLOW static void *calloc_slow(size_t count, size_t size, size_t total)
{
    if (!real_allocator_known())
        return bootstrap_alloc(total, 16); /* static memory: already zero */
    int saved_errno = errno;
    return expired_keeping_errno(libleak_real.calloc(count, size), total, saved_errno);
}

EXPORT void *calloc(size_t count, size_t size)
{
    size_t total;
    if (unlikely(__builtin_mul_overflow(count, size, &total))) {
        errno = ENOMEM;
        return NULL;
    }
    if (countdown_expires(total))
        return calloc_slow(count, size, total);
    return libleak_real.calloc(count, size);
}

/* realloc of a block that may be tracked (or is a bootstrap block). */
SLOW static void *realloc_tracked(void *old, size_t size)
{
    if (libleak_is_bootstrap(old)) {
        size_t old_size = libleak_bootstrap_size(old);
        void *block = malloc(size);
        if (block)
            memcpy(block, old, old_size < size ? old_size : size);
        return block;
    }
    int saved_errno = errno;
    struct libleak_live_block detached;
    bool was_tracked = libleak_live_remove(old, &detached);
    void *block = libleak_real.realloc(old, size);
    if (!block) /* failed, or freed old (realloc(p, 0)): errno is the allocator's */
        saved_errno = errno;
    if (unlikely(!block && size != 0)) {
        /* Failed: the old block lives on, tracked as before. */
        if (was_tracked)
            libleak_reattach(old, detached);
    } else {
        if (was_tracked)
            libleak_charge_detached(detached);
        /* realloc(p, 0) returning NULL freed p (glibc); a non-NULL result is a new block. */
        if (block && countdown_expires(size))
            libleak_countdown_expired(block, size);
    }
    errno = saved_errno;
    return block;
}

SLOW static void *realloc_slow(void *old, size_t size)
{
    int saved_errno = errno;
    return expired_keeping_errno(libleak_real.realloc(old, size), size, saved_errno);
}

EXPORT void *realloc(void *old, size_t size)
{
    if (!old)
        return malloc(size);
    if (unlikely(libleak_live_maybe_tracked(old)))
        return realloc_tracked(old, size);
    /* old came from the real allocator, so it is known */
    if (countdown_expires(size))
        return realloc_slow(old, size);
    return libleak_real.realloc(old, size);
}

EXPORT void *reallocarray(void *old, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(old, total);
}

/* The aligned family is rare and not on anyone's hot path: one shared slow-ish path. */
enum aligned_kind { POSIX_MEMALIGN, MEMALIGN, ALIGNED_ALLOC, VALLOC, PVALLOC };

static int allocate_aligned(enum aligned_kind kind, void **result, size_t alignment, size_t size)
{
    if (!real_allocator_known()) {
        *result = bootstrap_alloc(size, alignment);
        return *result ? 0 : ENOMEM;
    }
    int saved_errno = errno, error = 0;
    void *block = NULL;
    switch (kind) {
    case POSIX_MEMALIGN: error = libleak_real.posix_memalign(&block, alignment, size); break;
    case MEMALIGN:
        block = libleak_real.memalign ? libleak_real.memalign(alignment, size) : NULL;
        if (!libleak_real.memalign) /* posix_memalign is stricter about the alignment */
            error = libleak_real.posix_memalign(
                    &block, alignment < sizeof(void *) ? sizeof(void *) : alignment, size);
        break;
    case ALIGNED_ALLOC:
        block = libleak_real.aligned_alloc ? libleak_real.aligned_alloc(alignment, size) : NULL;
        if (!libleak_real.aligned_alloc)
            error = libleak_real.posix_memalign(&block, alignment, size);
        break;
    case VALLOC:
        block = libleak_real.valloc ? libleak_real.valloc(size) : NULL;
        if (!libleak_real.valloc)
            error = libleak_real.posix_memalign(&block, alignment, size);
        break;
    case PVALLOC:
        block = libleak_real.pvalloc ? libleak_real.pvalloc(size) : NULL;
        if (!libleak_real.pvalloc)
            error = libleak_real.posix_memalign(&block, alignment, size);
        break;
    }
    if (!error && !block && kind != POSIX_MEMALIGN)
        error = errno ? errno : ENOMEM;
    if (error)
        return error;
    *result = block;
    /* pvalloc's block is the whole rounded size (the caller passes it rounded) */
    if (countdown_expires(size))
        libleak_countdown_expired(block, size);
    errno = saved_errno;
    return 0;
}

static void *aligned_or_null(enum aligned_kind kind, size_t alignment, size_t size)
{
    void *block = NULL;
    int error = allocate_aligned(kind, &block, alignment, size);
    if (error) {
        errno = error;
        return NULL;
    }
    return block;
}

EXPORT int posix_memalign(void **result, size_t alignment, size_t size)
{
    return allocate_aligned(POSIX_MEMALIGN, result, alignment, size);
}

EXPORT void *memalign(size_t alignment, size_t size)
{
    return aligned_or_null(MEMALIGN, alignment, size);
}

EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
    return aligned_or_null(ALIGNED_ALLOC, alignment, size);
}

EXPORT void *valloc(size_t size)
{
    return aligned_or_null(VALLOC, (size_t)sysconf(_SC_PAGESIZE), size);
}

EXPORT void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t rounded = size ? (size + page - 1) & ~(page - 1) : page;
    if (unlikely(rounded < size)) {
        errno = ENOMEM;
        return NULL;
    }
    return aligned_or_null(PVALLOC, page, rounded);
}

EXPORT size_t malloc_usable_size(void *block)
{
    if (!block)
        return 0;
    if (libleak_is_bootstrap(block))
        return libleak_bootstrap_size(block);
    return real_allocator_known() && libleak_real.malloc_usable_size ? libleak_real.malloc_usable_size(block)
                                                                     : 0;
}
