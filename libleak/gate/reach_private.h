/*
 * reach_private — what the parts of the reachability scan share (reach.c drives classify.c,
 * stop_world.c, roots.c and memory_map.c): the scan's state, working memory mapped directly,
 * and the thread pointer.
 *
 * Nothing of the scan allocates from the program's heap: the program's threads are stopped,
 * possibly inside malloc with its locks held. Working memory is mapped directly and unmapped
 * when the scan is done.
 */
#ifndef LIBLEAK_REACH_PRIVATE_H
#define LIBLEAK_REACH_PRIVATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include "gate/classify.h"
#include "gate/memory_map.h"
#include "gate/reach.h"

/* The roots found so far: regions to scan, and the DTV pointers taken as start pointers. */
struct roots {
    struct libleak_reach_region *regions;
    size_t count, capacity, bytes;
    uintptr_t *forced; /* DTV pointers */
    size_t forced_count, forced_capacity, forced_bytes;
    const struct libleak_memory_map *map;
    uint64_t total;
    bool overflow; /* a root was left out: no room */
};

/* One scan, from its dl_iterate_phdr callback to its end. */
struct scan_context {
    struct libleak_reach_result *result;
    uintptr_t scan_from;                       /* caller->sp */
    const struct libleak_exit_caller *caller; /* the exiting thread's program part */
    uintptr_t own_code; /* an address inside libleak.so: its data is not a root */
    struct libleak_memory_map map;
    struct roots roots;
    struct libleak_reach_region own[8]; /* what the scan itself mapped */
    size_t own_count;
    bool done;
    bool held;     /* libleak_world_held after the classification */
    bool raw_heap; /* sampled blocks: the heap is read as raw words (reach.h) */
};

static inline void *map_zeroed(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static inline size_t round_pages(size_t bytes)
{
    return (bytes + 4095) & ~(size_t)4095;
}

/* The calling thread's pointer: glibc's thread descriptor (x86-64) or the TCB below it
   (aarch64); static TLS lies at fixed offsets from it. */
static inline uintptr_t thread_pointer(void)
{
#if defined(__x86_64__)
    uintptr_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return tp;
#else
    return (uintptr_t)__builtin_thread_pointer();
#endif
}

#endif
