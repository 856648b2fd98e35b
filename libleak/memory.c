#include "memory.h"

#include <stdatomic.h>
#include <sys/mman.h>

#include "config.h"

static _Atomic uint64_t mapped_bytes;

static size_t page_round(size_t bytes)
{
    return (bytes + 4095) & ~(size_t)4095;
}

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
    return address;
}

void libleak_unmap(void *address, size_t bytes)
{
    bytes = page_round(bytes);
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
};

void *libleak_arena_alloc(struct libleak_arena *arena, size_t bytes)
{
    bytes = (bytes + 15) & ~(size_t)15;
    struct libleak_arena_chunk *chunk = arena->chunks;
    if (!chunk || chunk->size - chunk->used < bytes) {
        size_t size =
                bytes + sizeof *chunk + 16 > (1 << 20) ? page_round(bytes + sizeof *chunk + 16) : (1 << 20);
        /* Transient: not counted against the tables' budget. */
        void *address = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (address == MAP_FAILED)
            return NULL;
        chunk = address;
        chunk->next = arena->chunks;
        chunk->size = size;
        chunk->used = (sizeof *chunk + 15) & ~(size_t)15;
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
        munmap(arena->chunks, arena->chunks->size);
        arena->chunks = next;
    }
}
