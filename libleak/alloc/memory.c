/*
 * memory — libleak's own memory: anonymous mappings counted against LIBLEAK_MAX_MEMORY, a
 * lock-free record of them (the leak gate must not scan our tables as the program's roots),
 * and the dumper's bump arena. Never the program's heap: the allocator we sit on could be
 * the one being profiled, or be in the middle of the call that brought us here.
 *
 * Under RLIMIT_AS or RLIMIT_DATA the arena falls back on a reserve mapped at start: a program
 * that allocates until malloc fails leaves the kernel nothing to map at exit, and the exit
 * profile (zlib's state, the message's tables) failed with ENOMEM and was lost.
 */
#include "alloc/memory.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "core/config.h"

static _Atomic uint64_t mapped_bytes;

/* Every mapping of ours, for libleak_memory_for_each_own: a slot is claimed with a compare-and-swap
   of its start, so neither mapping nor unmapping takes a lock. */
#define OWN_SLOTS 4096
static struct {
    _Atomic uintptr_t start;
    _Atomic uintptr_t end;
} own[OWN_SLOTS];
static _Atomic bool own_overflow;

static void remember(void *address, size_t bytes)
{
    for (size_t i = 0; i < OWN_SLOTS; i++) {
        uintptr_t expected = 0;
        if (atomic_compare_exchange_strong(&own[i].start, &expected, (uintptr_t)address)) {
            atomic_store(&own[i].end, (uintptr_t)address + bytes);
            return;
        }
    }
    atomic_store(&own_overflow, true);
}

static void forget(void *address)
{
    for (size_t i = 0; i < OWN_SLOTS; i++)
        if (atomic_load(&own[i].start) == (uintptr_t)address) {
            atomic_store(&own[i].end, 0);
            atomic_store(&own[i].start, 0);
            return;
        }
}

bool libleak_memory_for_each_own(uintptr_t start, uintptr_t end,
                                 void (*visit)(uintptr_t own_start, uintptr_t own_end, void *context),
                                 void *context)
{
    if (atomic_load(&own_overflow))
        return false;
    for (size_t i = 0; i < OWN_SLOTS; i++) {
        uintptr_t own_start = atomic_load(&own[i].start), own_end = atomic_load(&own[i].end);
        if (own_start && own_start < end && start < own_end)
            visit(own_start, own_end, context);
    }
    return true;
}

static size_t page_round(size_t bytes)
{
    return (bytes + 4095) & ~(size_t)4095;
}

/* Called on the program's malloc and free paths too, whose hooks keep the program's errno
   (hooks.c): a failed mmap may leave ENOMEM in errno here. */
void *libleak_map(size_t bytes)
{
    bytes = page_round(bytes);
    uint64_t before = atomic_fetch_add(&mapped_bytes, bytes);
    if (before + bytes > libleak_config.max_memory) {
        atomic_fetch_sub(&mapped_bytes, bytes);
        return NULL;
    }
    void *address =
            mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (address == MAP_FAILED) {
        atomic_fetch_sub(&mapped_bytes, bytes);
        return NULL;
    }
    remember(address, bytes);
    return address;
}

void libleak_unmap(void *address, size_t bytes)
{
    bytes = page_round(bytes);
    forget(address);
    munmap(address, bytes);
    atomic_fetch_sub(&mapped_bytes, bytes);
}

uint64_t libleak_memory_mapped(void)
{
    return atomic_load(&mapped_bytes);
}

struct libleak_arena_chunk {
    struct libleak_arena_chunk *next;
    size_t size;
    size_t used;
    bool from_reserve;
};

/* The reserve: a bump allocator over one mapping. Only dumps use arenas, one at a time (the
   dump lock), so a plain lock is never contended; pieces are handed back in any order and the
   reserve starts over once none is out. */
static struct {
    pthread_mutex_t lock;
    char *base;
    size_t top;         /* bytes handed out from base */
    unsigned out;       /* pieces not yet handed back */
} reserve = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

static bool address_space_limited(void)
{
    struct rlimit address_space, data;
    return (getrlimit(RLIMIT_AS, &address_space) == 0 && address_space.rlim_cur != RLIM_INFINITY) ||
           (getrlimit(RLIMIT_DATA, &data) == 0 && data.rlim_cur != RLIM_INFINITY);
}

bool libleak_arena_reserve(void)
{
    if (!address_space_limited())
        return false;
    pthread_mutex_lock(&reserve.lock);
    if (!reserve.base) {
        void *address = mmap(NULL, LIBLEAK_ARENA_RESERVE, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (address != MAP_FAILED) {
            remember(address, LIBLEAK_ARENA_RESERVE);
            reserve.base = address;
        }
    }
    bool reserved = reserve.base != NULL;
    pthread_mutex_unlock(&reserve.lock);
    return reserved;
}

size_t libleak_arena_reserve_left(void)
{
    pthread_mutex_lock(&reserve.lock);
    size_t left = reserve.base ? LIBLEAK_ARENA_RESERVE - reserve.top : 0;
    pthread_mutex_unlock(&reserve.lock);
    return left;
}

bool libleak_arena_reserve_in_use(void)
{
    pthread_mutex_lock(&reserve.lock);
    bool in_use = reserve.out > 0;
    pthread_mutex_unlock(&reserve.lock);
    return in_use;
}

void libleak_arena_reserve_after_fork_in_child(bool dump_was_in_progress)
{
    pthread_mutex_init(&reserve.lock, NULL);
    if (dump_was_in_progress) {
        reserve.top = 0;
        reserve.out = 0;
    }
}

/* size bytes (page-rounded) of the reserve, zeroed; NULL when it is used up. */
static void *from_reserve(size_t size)
{
    void *piece = NULL;
    pthread_mutex_lock(&reserve.lock);
    if (reserve.base && LIBLEAK_ARENA_RESERVE - reserve.top >= size) {
        piece = reserve.base + reserve.top;
        reserve.top += size;
        reserve.out++;
    }
    pthread_mutex_unlock(&reserve.lock);
    if (piece)
        memset(piece, 0, size); /* an earlier dump may have used it */
    return piece;
}

static void back_to_reserve(void)
{
    pthread_mutex_lock(&reserve.lock);
    if (--reserve.out == 0)
        reserve.top = 0;
    pthread_mutex_unlock(&reserve.lock);
}

void *libleak_arena_alloc(struct libleak_arena *arena, size_t bytes)
{
    bytes = (bytes + 15) & ~(size_t)15;
    struct libleak_arena_chunk *chunk = arena->chunks;
    if (!chunk || chunk->size - chunk->used < bytes) {
        size_t size =
                bytes + sizeof *chunk + 16 > (1 << 20) ? page_round(bytes + sizeof *chunk + 16) : (1 << 20);
        /* Transient: not counted against the tables' budget. */
        void *address = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        bool reserved = false;
        if (address == MAP_FAILED) {
            /* No room left (RLIMIT_AS): the reserve, in pieces of 64 KiB (a page per small
               allocation used it up after 500 samples), or no larger than needed at its end. */
            size_t needed = page_round(bytes + sizeof *chunk + 16);
            size = needed > (64u << 10) ? needed : (64u << 10);
            address = from_reserve(size);
            if (!address && size > needed)
                address = from_reserve(size = needed);
            if (!address)
                return NULL;
            reserved = true;
        } else {
            remember(address, size);
        }
        chunk = address;
        chunk->next = arena->chunks;
        chunk->size = size;
        chunk->used = (sizeof *chunk + 15) & ~(size_t)15;
        chunk->from_reserve = reserved;
        arena->chunks = chunk;
    }
    void *result = (char *)chunk + chunk->used;
    chunk->used += bytes;
    return result;
}

void libleak_arena_release(struct libleak_arena *arena)
{
    while (arena->chunks) {
        struct libleak_arena_chunk *next = arena->chunks->next;
        if (arena->chunks->from_reserve) {
            back_to_reserve();
        } else {
            forget(arena->chunks);
            munmap(arena->chunks, arena->chunks->size);
        }
        arena->chunks = next;
    }
}
