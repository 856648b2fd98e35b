/*
 * classify — memcheck's classification (classify.h), as mc_leakcheck.c does it.
 *
 * The blocks are radix-sorted by address once. A word is looked up in two levels: a binary
 * search in every 64th start (a small array that stays in cache), then among the 64 starts
 * that follow; 10^6 blocks classify in about 0.2 s (make bench-reach). When the blocks are few
 * next to the memory scanned (a sampled check reads the whole heap), a bitset of the pages they
 * touch answers most words first (the page filter below). Pass 1 floods from the
 * roots (mark, scan_words, flood); pass 2 forms the cliques of the blocks still unreached.
 */
#include "gate/classify.h"

#include <string.h>
#include <sys/mman.h>

#include "common/sorted.h"
#include "gate/reach_private.h"
#include "os/memory_copy.h"

/* ---- sorting and lookup ---- */

/* LSD radix sort on the address, 16 bits a pass: 10^6 blocks in a few ms, no allocation. */
void libleak_reach_sort(struct libleak_reach_block *blocks, size_t count, struct libleak_reach_block *scratch)
{
    static size_t counts[65536];
    uintptr_t all_bits = 0, common = ~(uintptr_t)0;
    for (size_t i = 0; i < count; i++) {
        all_bits |= blocks[i].address;
        common &= blocks[i].address;
    }
    uintptr_t varying = all_bits & ~common;
    struct libleak_reach_block *from = blocks, *to = scratch;
    for (int shift = 0; shift < 64; shift += 16) {
        if (!((varying >> shift) & 0xffff))
            continue; /* every block has the same digit here */
        memset(counts, 0, sizeof counts);
        for (size_t i = 0; i < count; i++)
            counts[(from[i].address >> shift) & 0xffff]++;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = counts[d];
            counts[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < count; i++)
            to[counts[(from[i].address >> shift) & 0xffff]++] = from[i];
        struct libleak_reach_block *swap = from;
        from = to;
        to = swap;
    }
    if (from != blocks)
        memcpy(blocks, from, count * sizeof *blocks);
}

struct classifier {
    struct libleak_reach_block *blocks;
    uintptr_t *starts; /* blocks[i].address, packed for the binary search */
    uintptr_t *coarse; /* starts[i * COARSE] */
    size_t coarse_count;
    size_t count;
    uintptr_t low, high; /* first start, one past the furthest end */
    uint32_t *stack;     /* the mark stack (indexes) */
    size_t depth, capacity;
    struct window *window; /* NULL: every thread is stopped, memory is read directly */
    const struct libleak_reach_region *vtable_areas;
    size_t vtable_area_count;
    uint64_t *pages; /* NULL, or a bit per hashed 4 KiB page: set for every page a block touches */
};

/* ---- reading memory a running thread may unmap ---- */

#define WINDOW_BYTES 16384
#define PAGE 4096

/* A copy of [start, end), or, when unreadable, the page [start, end) that could not be read. */
struct window {
    uintptr_t start, end;
    bool unreadable;
    unsigned char bytes[WINDOW_BYTES];
};

static void refill(struct window *w, uintptr_t at)
{
    uintptr_t page = at & ~(uintptr_t)(PAGE - 1);
    w->start = page;
    w->unreadable = false;
    if (libleak_copy_memory(w->bytes, page, WINDOW_BYTES) == LIBLEAK_COPY_DONE) {
        w->end = page + WINDOW_BYTES;
        return;
    }
    w->end = page + PAGE; /* the window crossed into unmapped memory: this page alone */
    w->unreadable = libleak_copy_memory(w->bytes, page, PAGE) != LIBLEAK_COPY_DONE;
}

/* The word at the aligned address p; false when it cannot be read. */
static inline bool load_word(struct classifier *c, uintptr_t p, uintptr_t *word)
{
    struct window *w = c->window;
    if (!w) {
        *word = *(const uintptr_t *)p;
        return true;
    }
    if (p < w->start || p + sizeof *word > w->end)
        refill(w, p);
    if (w->unreadable)
        return false;
    memcpy(word, w->bytes + (p - w->start), sizeof *word);
    return true;
}

#define COARSE 64

/* The number of starts[0..count) at or below address. Neither level counts beyond COARSE or
   count / COARSE, far below 2^31. */
static inline size_t starts_up_to(const uintptr_t *starts, size_t count, uintptr_t address)
{
    return (size_t)libleak_entries_up_to(starts, (int)count, sizeof *starts, 0, address);
}

/* The block that address points into (start or interior), or -1. A zero-sized block is hit by
   its start only. Two levels: every COARSE-th start in a small array that stays in cache, then
   the COARSE starts between two of them. */
static ptrdiff_t find_block(const struct classifier *c, uintptr_t address)
{
    if (address < c->low || address >= c->high)
        return -1;
    /* coarse[0] = low <= address: the group of the last coarse start at or below address */
    size_t group = starts_up_to(c->coarse, c->coarse_count, address) - 1;
    size_t first = group * COARSE, last = first + COARSE < c->count ? first + COARSE : c->count;
    size_t index = first + starts_up_to(c->starts + first + 1, last - first - 1, address);
    const struct libleak_reach_block *b = &c->blocks[index];
    if (address - b->address < b->size || address == b->address)
        return (ptrdiff_t)index;
    return -1;
}

static void push(struct classifier *c, size_t index)
{
    if (c->depth < c->capacity)
        c->stack[c->depth++] = (uint32_t)index;
}

/* Whether word may be a vtable pointer: it points into a module's data (vtables lie in
   .data.rel.ro); memcheck asks the same of its debug info. */
static bool is_vtable_address(const struct classifier *c, uintptr_t word)
{
    if (word < 4096 || word % sizeof(uintptr_t) || !c->vtable_area_count)
        return false;
    size_t low = 0, high = c->vtable_area_count; /* sorted by start, disjoint */
    while (high - low > 1) {
        size_t middle = low + (high - low) / 2;
        if (c->vtable_areas[middle].start <= word)
            low = middle;
        else
            high = middle;
    }
    return word >= c->vtable_areas[low].start && word < c->vtable_areas[low].end;
}

/* memcheck's heuristics (on by default there, --leak-check-heuristics=all): an interior pointer
   that is really how the program refers to the block counts as a start pointer. */
static bool heuristic_start(struct classifier *c, const struct libleak_reach_block *b, uintptr_t address)
{
    uintptr_t words[2];
    uint64_t offset = address - b->address;
    if (offset == 3 * sizeof(uint64_t) && b->size >= 3 * sizeof(uint64_t) && load_word(c, b->address, &words[0]) &&
        load_word(c, b->address + sizeof(uintptr_t), &words[1])) {
        /* std::string (old ABI): length, capacity, refcount, characters, NUL */
        uint64_t length = words[0], capacity = words[1];
        if (3 * sizeof(uint64_t) + capacity + 1 == b->size && length <= capacity)
            return true;
    }
    /* multipleinheritance: a pointer to a base subobject other than the first; it starts with
       a vtable pointer, and so does the block (its first base) */
    if (offset % sizeof(uintptr_t) == 0 && load_word(c, address, &words[1]) && is_vtable_address(c, words[1]) &&
        load_word(c, b->address, &words[0]) && is_vtable_address(c, words[0]))
        return true;
    if (offset == sizeof(uint64_t) && b->size >= sizeof(uint64_t) && load_word(c, b->address, &words[0])) {
        uint64_t first = words[0];
        /* length64: the first word holds the size of the rest (sqlite) */
        if (first > 0 && b->size - sizeof(uint64_t) == first)
            return true;
        /* new[] of objects with destructors: the element count, then the elements */
        if (first > 0 && (b->size - sizeof(uint64_t)) % first == 0)
            return true;
    }
    return false;
}

/* memcheck's pass 1: a start pointer from a root or a reachable block makes a block reachable;
   anything else makes an unreached block possibly lost. A block whose state rose is (re)scanned.
   A word inside the block itself (from) counts for nothing: a root region may hold blocks when
   the heap is read raw (sampled checks, reach.h), and a block must not keep itself alive. */
static void mark(struct classifier *c, uintptr_t address, uintptr_t from, bool prior_definite)
{
    ptrdiff_t i = find_block(c, address);
    if (i < 0)
        return;
    struct libleak_reach_block *b = &c->blocks[i];
    if (b->state == LIBLEAK_REACHABLE || from - b->address < b->size)
        return;
    bool start = address == b->address || heuristic_start(c, b, address);
    if (start && prior_definite) {
        b->state = LIBLEAK_REACHABLE;
        push(c, (size_t)i);
    } else if (b->state == LIBLEAK_UNREACHED) {
        b->state = LIBLEAK_POSSIBLE;
        push(c, (size_t)i);
    }
}

/* ---- the page filter ----

   When the blocks are few next to the memory scanned (a sampled check reads the whole heap as
   roots, every pointer of which lies between the lowest and the highest block), a word is first
   looked up in a bitset of the pages the blocks touch, hashed: a clear bit is a sure "no block
   here" in one load, the two-level search runs only for the rest. Not made when the blocks
   touch more pages than an eighth of the bits (exact mode's heaps): it would say "maybe" to
   nearly every word. */

#define PAGE_FILTER_BITS (1u << 20) /* 128 KiB */
#define PAGE_SHIFT 12

static inline size_t page_bit(uintptr_t address)
{
    return (size_t)(((address >> PAGE_SHIFT) * 0x9E3779B97F4A7C15ull) >> (64 - 20));
}

static inline bool page_may_hold_block(const struct classifier *c, uintptr_t address)
{
    size_t bit = page_bit(address);
    return !c->pages || (c->pages[bit / 64] >> (bit % 64)) & 1;
}

/* Returns the filter, or NULL when the blocks touch too many pages for it to help. */
static uint64_t *page_filter_build(const struct libleak_reach_block *blocks, size_t count)
{
    uint64_t pages = 0;
    for (size_t i = 0; i < count && pages <= PAGE_FILTER_BITS / 8; i++)
        pages += ((blocks[i].address + (blocks[i].size ? blocks[i].size - 1 : 0)) >> PAGE_SHIFT) -
                 (blocks[i].address >> PAGE_SHIFT) + 1;
    if (pages > PAGE_FILTER_BITS / 8)
        return NULL;
    uint64_t *filter = map_zeroed(PAGE_FILTER_BITS / 8);
    for (size_t i = 0; filter && i < count; i++) {
        uintptr_t last = blocks[i].address + (blocks[i].size ? blocks[i].size - 1 : 0);
        for (uintptr_t page = blocks[i].address >> PAGE_SHIFT; page <= last >> PAGE_SHIFT; page++) {
            size_t bit = page_bit(page << PAGE_SHIFT);
            filter[bit / 64] |= (uint64_t)1 << (bit % 64);
        }
    }
    return filter;
}

static void scan_words(struct classifier *c, uintptr_t start, uintptr_t end, bool prior_definite)
{
    start = (start + sizeof(uintptr_t) - 1) & ~(uintptr_t)(sizeof(uintptr_t) - 1);
    if (!c->window) {
        /* Every thread stopped: a plain loop, one compare per word (the pause of a check on a
           sampled heap is this loop over every heap word). */
        const uintptr_t low = c->low, span = c->high - c->low;
        for (uintptr_t p = start; p + sizeof(uintptr_t) <= end; p += sizeof(uintptr_t)) {
            uintptr_t word = *(const uintptr_t *)p;
            if (word - low < span && page_may_hold_block(c, word))
                mark(c, word, p, prior_definite);
        }
        return;
    }
    for (uintptr_t p = start; p + sizeof(uintptr_t) <= end; p += sizeof(uintptr_t)) {
        uintptr_t word;
        if (load_word(c, p, &word) && word >= c->low && word < c->high)
            mark(c, word, p, prior_definite);
    }
}

/* glibc's chunk of a request: size + 8 rounded up to 16, at least 32; the next chunk's header
   starts 16 bytes before the end of this chunk, counted from the user pointer. */
static bool is_next_chunk_header(const struct classifier *c, uintptr_t word)
{
    ptrdiff_t i = find_block(c, word);
    if (i < 0)
        return false;
    uint64_t size = c->blocks[i].size;
    uint64_t chunk = (size + 8 + 15) & ~(uint64_t)15;
    if (chunk < 32)
        chunk = 32;
    return word == c->blocks[i].address + chunk - 16;
}

static void scan_allocator_words(struct classifier *c, uintptr_t start, uintptr_t end)
{
    start = (start + sizeof(uintptr_t) - 1) & ~(uintptr_t)(sizeof(uintptr_t) - 1);
    for (uintptr_t p = start; p + sizeof(uintptr_t) <= end; p += sizeof(uintptr_t)) {
        uintptr_t word;
        if (load_word(c, p, &word) && word >= c->low && word < c->high && !is_next_chunk_header(c, word))
            mark(c, word, p, true);
    }
}

static void flood(struct classifier *c)
{
    while (c->depth) {
        struct libleak_reach_block *b = &c->blocks[c->stack[--c->depth]];
        scan_words(c, b->address, b->address + b->size, b->state == LIBLEAK_REACHABLE);
    }
}

/* memcheck's pass 2: each block still unreached, in address order, leads a clique; every
   unreached block reachable from it (start or interior pointer) is indirectly lost, an earlier
   leader included. The leaders left are definitely lost. */
static void cliques(struct classifier *c)
{
    for (size_t leader = 0; leader < c->count; leader++) {
        if (c->blocks[leader].state != LIBLEAK_UNREACHED)
            continue;
        push(c, leader);
        while (c->depth) {
            const struct libleak_reach_block *b = &c->blocks[c->stack[--c->depth]];
            uintptr_t start = b->address, end = b->address + b->size;
            for (uintptr_t p = start; p + sizeof(uintptr_t) <= end; p += sizeof(uintptr_t)) {
                uintptr_t word;
                if (!load_word(c, p, &word))
                    break;
                ptrdiff_t i = find_block(c, word);
                if (i < 0 || (size_t)i == leader || c->blocks[i].state != LIBLEAK_UNREACHED)
                    continue;
                c->blocks[i].state = LIBLEAK_INDIRECT;
                push(c, (size_t)i);
            }
        }
    }
}

void libleak_reach_classify(struct libleak_reach_block *blocks, size_t count,
                            const struct libleak_reach_region *roots, size_t root_count,
                            const uintptr_t *forced, size_t forced_count,
                            const struct libleak_classify_setting *setting)
{
    bool others_may_run = setting && setting->others_may_run;
    if (!count)
        return;
    size_t scratch_bytes = round_pages(count * sizeof *blocks);
    size_t starts_bytes = round_pages(count * sizeof(uintptr_t));
    size_t stack_bytes = round_pages(2 * count * sizeof(uint32_t) + 64);
    struct libleak_reach_block *scratch = map_zeroed(scratch_bytes);
    struct classifier c = {.blocks = blocks,
                           .count = count,
                           .vtable_areas = setting ? setting->vtable_areas : NULL,
                           .vtable_area_count = setting ? setting->vtable_area_count : 0};
    size_t coarse_bytes = round_pages((count / COARSE + 1) * sizeof(uintptr_t));
    c.starts = map_zeroed(starts_bytes);
    c.coarse = map_zeroed(coarse_bytes);
    c.stack = map_zeroed(stack_bytes);
    c.capacity = stack_bytes / sizeof(uint32_t);
    size_t window_bytes = round_pages(sizeof *c.window);
    if (others_may_run)
        c.window = map_zeroed(window_bytes); /* start = end = 0: the first load fills it */
    if (!scratch || !c.starts || !c.coarse || !c.stack || (others_may_run && !c.window)) {
        /* No memory to classify: call everything reachable rather than fail a build on it. */
        for (size_t i = 0; i < count; i++)
            blocks[i].state = LIBLEAK_REACHABLE;
        goto out;
    }
    bool sorted = true;
    for (size_t i = 1; i < count && sorted; i++)
        sorted = blocks[i - 1].address < blocks[i].address;
    if (!sorted)
        libleak_reach_sort(blocks, count, scratch);
    c.low = blocks[0].address;
    for (size_t i = 0; i < count; i++) {
        blocks[i].state = LIBLEAK_UNREACHED;
        c.starts[i] = blocks[i].address;
        uintptr_t end = blocks[i].address + (blocks[i].size ? blocks[i].size : 1);
        if (end > c.high)
            c.high = end;
    }
    for (size_t i = 0; i < count; i += COARSE)
        c.coarse[c.coarse_count++] = blocks[i].address;
    c.pages = page_filter_build(blocks, count);
    for (size_t r = 0; r < root_count; r++) {
        if (roots[r].allocator_data)
            scan_allocator_words(&c, roots[r].start, roots[r].end);
        else
            scan_words(&c, roots[r].start, roots[r].end, true);
        flood(&c);
    }
    for (size_t f = 0; f < forced_count; f++) {
        ptrdiff_t i = find_block(&c, forced[f]);
        if (i >= 0 && blocks[i].state != LIBLEAK_REACHABLE) {
            blocks[i].state = LIBLEAK_REACHABLE;
            push(&c, (size_t)i);
            flood(&c);
        }
    }
    cliques(&c);
out:
    if (scratch)
        munmap(scratch, scratch_bytes);
    if (c.starts)
        munmap(c.starts, starts_bytes);
    if (c.coarse)
        munmap(c.coarse, coarse_bytes);
    if (c.stack)
        munmap(c.stack, stack_bytes);
    if (c.window)
        munmap(c.window, window_bytes);
    if (c.pages)
        munmap(c.pages, PAGE_FILTER_BITS / 8);
}
