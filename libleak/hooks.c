/*
 * hooks — the malloc family as the program sees it. Nothing else lives here.
 *
 * Every entry point forwards to the real allocator and then runs the fast path: subtract the
 * size from this thread's countdown and, only when it goes negative, call the slow path
 * (track.c). No lock, no atomic read-modify-write, no system call on the way.
 *
 * free asks the live filter (one relaxed load) whether the block may have been sampled, and
 * only then looks it up. A sampled block leaves the live table *before* the real free: after
 * it, another thread may already get the same address back from malloc and sample it.
 *
 * Until dlsym has found the real allocator, requests are served from the bootstrap buffer
 * (real.c); its blocks are never handed to the real free.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "real.h"
#include "thread.h"
#include "track.h"

#define EXPORT __attribute__((visibility("default")))
#define unlikely(x) __builtin_expect(!!(x), 0)

static inline void count_allocation(void *block, size_t size)
{
	struct libleak_thread *self = &libleak_thread;
	if (unlikely((self->countdown -= (int64_t)size) < 0))
		libleak_countdown_expired(block, size);
}

static inline void forget_if_tracked(void *block)
{
	if (unlikely(libleak_live_maybe_tracked(block)))
		libleak_forget(block);
}

/* True when the real function is known; resolves on first use. While dlsym itself is running,
   false: the caller then serves the request from the bootstrap buffer. */
#define REAL_READY(function) (likely(libleak_real.function != NULL) || libleak_real_resolve())
#define likely(x) __builtin_expect(!!(x), 1)

static void *bootstrap_alloc(size_t size, size_t alignment)
{
	void *block = libleak_bootstrap_alloc(size, alignment);
	if (!block)
		errno = ENOMEM;
	return block;
}

EXPORT void *malloc(size_t size)
{
	if (!REAL_READY(malloc))
		return bootstrap_alloc(size, 16);
	void *block = libleak_real.malloc(size);
	count_allocation(block, size);
	return block;
}

EXPORT void free(void *block)
{
	if (!block || unlikely(libleak_is_bootstrap(block)))
		return;
	forget_if_tracked(block);
	if (REAL_READY(free))
		libleak_real.free(block);
}

EXPORT void *calloc(size_t count, size_t size)
{
	size_t total;
	if (unlikely(__builtin_mul_overflow(count, size, &total))) {
		errno = ENOMEM;
		return NULL;
	}
	if (!REAL_READY(calloc))
		return bootstrap_alloc(total, 16); /* static memory: already zero */
	void *block = libleak_real.calloc(count, size);
	count_allocation(block, total);
	return block;
}

EXPORT void *realloc(void *old, size_t size)
{
	if (!old)
		return malloc(size);
	if (unlikely(libleak_is_bootstrap(old))) {
		size_t old_size = libleak_bootstrap_size(old);
		void *block = malloc(size);
		if (block)
			memcpy(block, old, old_size < size ? old_size : size);
		return block;
	}
	if (!REAL_READY(realloc))
		return NULL;
	struct libleak_live_block detached;
	int was_tracked = libleak_live_maybe_tracked(old) && libleak_detach(old, &detached);
	void *block = libleak_real.realloc(old, size);
	if (unlikely(!block && size != 0)) {
		/* Failed: the old block lives on, tracked as before. */
		if (was_tracked)
			libleak_reattach(old, detached);
		return NULL;
	}
	if (was_tracked)
		libleak_charge_detached(detached);
	/* realloc(p, 0) returning NULL freed p (glibc); a non-NULL result is a new block. */
	if (block)
		count_allocation(block, size);
	return block;
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

static int aligned(void **result, size_t alignment, size_t size)
{
	if (!REAL_READY(posix_memalign)) {
		*result = bootstrap_alloc(size, alignment);
		return *result ? 0 : ENOMEM;
	}
	int error = libleak_real.posix_memalign(result, alignment, size);
	if (error == 0)
		count_allocation(*result, size);
	return error;
}

EXPORT int posix_memalign(void **result, size_t alignment, size_t size)
{
	return aligned(result, alignment, size);
}

static void *aligned_or_null(size_t alignment, size_t size)
{
	void *block = NULL;
	int error = aligned(&block, alignment, size);
	if (error) {
		errno = error;
		return NULL;
	}
	return block;
}

EXPORT void *memalign(size_t alignment, size_t size)
{
	if (!libleak_real.memalign) /* posix_memalign is stricter about the alignment */
		return aligned_or_null(alignment < sizeof(void *) ? sizeof(void *) : alignment, size);
	void *block = libleak_real.memalign(alignment, size);
	count_allocation(block, size);
	return block;
}

EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
	if (!libleak_real.aligned_alloc)
		return aligned_or_null(alignment, size);
	void *block = libleak_real.aligned_alloc(alignment, size);
	count_allocation(block, size);
	return block;
}

EXPORT void *valloc(size_t size)
{
	if (!libleak_real.valloc)
		return aligned_or_null((size_t)sysconf(_SC_PAGESIZE), size);
	void *block = libleak_real.valloc(size);
	count_allocation(block, size);
	return block;
}

EXPORT void *pvalloc(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t rounded = size ? (size + page - 1) & ~(page - 1) : page;
	if (unlikely(rounded < size)) {
		errno = ENOMEM;
		return NULL;
	}
	if (!libleak_real.pvalloc)
		return aligned_or_null(page, rounded);
	void *block = libleak_real.pvalloc(size);
	count_allocation(block, rounded); /* pvalloc's block is the whole rounded size */
	return block;
}

EXPORT size_t malloc_usable_size(void *block)
{
	if (!block)
		return 0;
	if (libleak_is_bootstrap(block))
		return libleak_bootstrap_size(block);
	return libleak_real.malloc_usable_size ? libleak_real.malloc_usable_size(block) : 0;
}
