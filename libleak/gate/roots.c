/*
 * roots — see roots.h.
 *
 * The module walk runs inside the scan's own dl_iterate_phdr callback (the loader lock is
 * recursive): it notes each module's writable segments as roots, every PT_LOAD range (cut out
 * of the anonymous memory later) and the offset of each static TLS block from the thread
 * pointer, which is the same in every thread. The threads' roots then follow from their stack
 * and thread pointers, and the anonymous memory comes last, when every stack is known.
 */
#include "gate/roots.h"

#include <dlfcn.h>
#include <stddef.h>

#include "alloc/memory.h"
#include "common/sorted.h"
#include "os/libc.h"

#if defined(__x86_64__)
#define DTV_OFFSET 8 /* tcbhead_t: tcb, dtv, self */
#elif defined(__aarch64__)
#define DTV_OFFSET 0 /* tcbhead_t: dtv, private */
#endif

static uint32_t thread_descriptor_size = 2304; /* glibc 2.36 x86_64; replaced by libc's own answer */
static uintptr_t main_stack_address; /* an address on the main thread's stack */

void libleak_roots_init(void)
{
    main_stack_address = (uintptr_t)__builtin_frame_address(0); /* the constructor: main thread */
    const uint32_t *size = dlsym(RTLD_DEFAULT, "_thread_db_sizeof_pthread");
    if (size && *size >= 256 && *size <= 65536)
        thread_descriptor_size = *size;
}

/* Adds [start, end) clipped to readable mappings. */
static void add_root_of(struct roots *roots, uintptr_t start, uintptr_t end, bool allocator_data)
{
    while (start < end) {
        const struct libleak_map_area *m = libleak_memory_map_find(roots->map, start);
        if (!m) {
            m = libleak_memory_map_next(roots->map, start);
            if (!m)
                return;
            start = m->start;
            continue;
        }
        uintptr_t piece_end = m->end < end ? m->end : end;
        if (m->readable && roots->count < roots->capacity) {
            roots->regions[roots->count++] = (struct libleak_reach_region){start, piece_end, allocator_data};
            roots->total += piece_end - start;
        } else if (m->readable) {
            roots->overflow = true;
        }
        start = piece_end;
    }
}

static void add_root(struct roots *roots, uintptr_t start, uintptr_t end)
{
    add_root_of(roots, start, end, false);
}

static bool module_contains(const struct dl_phdr_info *info, uintptr_t address)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && address >= start && address < start + ph->p_memsz)
            return true;
    }
    return false;
}

static bool inside_live_block(const struct libleak_reach_result *result, uintptr_t address)
{
    /* a linear pass, once per TLS module */
    for (size_t i = 0; i < result->count; i++)
        if (address - result->blocks[i].address < result->blocks[i].size)
            return true;
    return false;
}

int libleak_roots_visit_module(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct module_walk *walk = data;
    struct scan_context *scan = walk->scan;
    bool own = module_contains(info, scan->own_code);
    bool libc = info->dlpi_name && libleak_path_is_libc(info->dlpi_name);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && walk->module_count < MAX_MODULE_RANGES) {
            uintptr_t start = info->dlpi_addr + ph->p_vaddr;
            walk->modules[walk->module_count++] = (struct libleak_reach_region){
                    start & ~(uintptr_t)4095, (start + ph->p_memsz + 4095) & ~(uintptr_t)4095, false};
        }
        if (ph->p_type == PT_LOAD && !(ph->p_flags & PF_X) && walk->vtable_area_count < MAX_MODULE_RANGES) {
            uintptr_t start = info->dlpi_addr + ph->p_vaddr;
            walk->vtable_areas[walk->vtable_area_count++] =
                    (struct libleak_reach_region){start, start + ph->p_memsz, false};
        }
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W) && !own) {
            uintptr_t start = info->dlpi_addr + ph->p_vaddr;
            add_root_of(&scan->roots, start, start + ph->p_memsz, libc);
        }
        /* Static TLS lies at the same offset from every thread's pointer; a dlopen'ed module's
           block is malloc'ed by the loader (dynamic TLS) and is reached through the DTV. */
        if (ph->p_type == PT_TLS && info->dlpi_tls_data && !own && walk->tls_count < MAX_TLS_MODULES &&
            !inside_live_block(scan->result, (uintptr_t)info->dlpi_tls_data))
            walk->tls[walk->tls_count++] =
                    (struct tls_module){(intptr_t)((uintptr_t)info->dlpi_tls_data - walk->tp), ph->p_memsz};
    }
    return 0;
}

/* One thread's roots: its stack from sp up, its thread descriptor and static TLS blocks, and
   its DTV. glibc puts a thread's descriptor at the top of its stack, static TLS just below
   it, even on a stack the program gave (pthread_attr_setstack, maybe a block in [heap]): when
   tp lies above sp in the same mapping, the stack ends there (the rest of the mapping is not
   this stack, but freed chunks of the heap, say); else at the mapping's end. */
void libleak_roots_add_thread(struct scan_context *scan, const struct module_walk *walk, uintptr_t sp,
                              uintptr_t tp)
{
    const struct libleak_map_area *m = libleak_memory_map_find(&scan->map, sp);
    if (m)
        add_root(&scan->roots, sp, tp > sp && tp < m->end ? tp : m->end);
    if (!tp)
        return;
#if defined(__x86_64__)
    add_root(&scan->roots, tp, tp + thread_descriptor_size);
#else
    add_root(&scan->roots, tp - thread_descriptor_size, tp + 16);
#endif
    for (size_t i = 0; i < walk->tls_count; i++)
        add_root(&scan->roots, tp + (uintptr_t)walk->tls[i].offset,
                 tp + (uintptr_t)walk->tls[i].offset + walk->tls[i].size);
    const struct libleak_map_area *tcb = libleak_memory_map_find(&scan->map, tp + DTV_OFFSET);
    if (!tcb || !tcb->readable)
        return;
    uintptr_t dtv = *(const uintptr_t *)(tp + DTV_OFFSET);
    if (scan->roots.forced_count < scan->roots.forced_capacity)
        scan->roots.forced[scan->roots.forced_count++] = dtv;
    /* The DTV itself as a root too: the main thread's first one comes from the loader's own
       allocator, not from malloc, and holds the pointers to its dynamic TLS blocks. glibc's
       entries are 16 bytes; the one before dtv holds the number of entries. */
    const struct libleak_map_area *array = libleak_memory_map_find(&scan->map, dtv - 16);
    if (array && array->readable && dtv - 16 >= array->start) {
        uintptr_t entries = *(const uintptr_t *)(dtv - 16);
        if (entries < 65536)
            add_root(&scan->roots, dtv - 16, dtv + 16 * (entries + 1));
    }
}

void libleak_roots_add_home_stack(struct scan_context *scan, uintptr_t sp, uintptr_t tp, bool main_thread)
{
    uintptr_t inside = main_thread ? main_stack_address : tp;
    const struct libleak_map_area *home = inside ? libleak_memory_map_find(&scan->map, inside) : NULL;
    if (!home || (sp >= home->start && sp < home->end))
        return;
    /* Below sp is not known here: the whole mapping, stale frames too (as for cached stacks). */
    add_root(&scan->roots, home->start, main_thread ? home->end : tp);
}

void libleak_roots_add_registers(struct scan_context *scan, const uintptr_t *registers, size_t count)
{
    add_root(&scan->roots, (uintptr_t)registers, (uintptr_t)(registers + count));
}

/* Pieces of an anonymous mapping that are not the program's data, cut out before scanning. */
#define MAX_CUTS 4096

struct cuts {
    struct libleak_reach_region ranges[MAX_CUTS];
    size_t count;
    bool overflow;
};

static void cut(struct cuts *cuts, uintptr_t start, uintptr_t end)
{
    if (cuts->count < MAX_CUTS)
        cuts->ranges[cuts->count++] = (struct libleak_reach_region){start, end, false};
    else
        cuts->overflow = true;
}

static void cut_own(uintptr_t start, uintptr_t end, void *context)
{
    cut(context, start, end);
}

/* glibc's heap of a thread arena: 64 MiB aligned, starting with its heap_info (arena, previous
   heap, size, mprotect size). */
static bool is_arena_heap(const struct libleak_map_area *m, uintptr_t at, uintptr_t *size)
{
    if (at + 4 * sizeof(uintptr_t) > m->end)
        return false;
    const uintptr_t *info = (const uintptr_t *)at;
    uintptr_t heap_max = 64u << 20;
    if (!info[0] || (info[1] && info[1] % heap_max) || !info[2] || info[2] > heap_max || info[2] % 4096)
        return false;
    *size = info[2];
    return true;
}

/* The number of blocks (sorted by then) that start at or below address. */
static size_t blocks_up_to(const struct libleak_reach_result *result, uintptr_t address)
{
    return (size_t)libleak_entries_up_to(result->blocks, (int)result->count, sizeof *result->blocks,
                                         offsetof(struct libleak_reach_block, address), address);
}

/* memcheck scans every mapping the program can write, not only modules and stacks: a pointer
   kept in memory the program mapped itself (Python's object arenas, a custom pool) keeps its
   block reachable. We do the same for anonymous mappings, with what is not the program's data
   cut out (the kernel merges neighbouring anonymous mappings, so a mapping may hold several
   kinds): malloc's own memory (the brk heap is named [heap]; a thread arena's heaps are
   64 MiB aligned and start with their size; a large block is its own mapping), libleak's
   memory, the modules' segments (scanned above, libc's with a rule of its own), and whole
   stacks of running threads (scanned from their stack pointers above: below is stale) and of
   libleak's threads. Cached stacks of exited threads are scanned whole, as memcheck does.
   With the heap read raw (scan->raw_heap: a sampled check, reach.h), malloc's memory stays in,
   [heap] too, and what cannot be cut is scanned whole: more roots only ever keep more blocks. */
void libleak_roots_add_anonymous(struct scan_context *scan, const struct module_walk *walk,
                                 const uintptr_t *stack_pointers, size_t stack_pointer_count)
{
    static struct cuts cuts;
    const struct libleak_reach_result *result = scan->result;
    for (size_t i = 0; i < scan->map.count; i++) {
        const struct libleak_map_area *m = &scan->map.areas[i];
        if (!m->readable || !m->writable || !(m->anonymous || (scan->raw_heap && m->heap)))
            continue;
        bool stack = false;
        for (size_t k = 0; k < stack_pointer_count; k++)
            stack |= stack_pointers[k] >= m->start && stack_pointers[k] < m->end;
        if (stack)
            continue;
        cuts.count = 0;
        cuts.overflow = false;
        for (size_t k = 0; k < walk->module_count; k++)
            if (walk->modules[k].start < m->end && m->start < walk->modules[k].end)
                cut(&cuts, walk->modules[k].start, walk->modules[k].end);
        for (size_t k = 0; k < scan->own_count; k++)
            if (scan->own[k].start < m->end && m->start < scan->own[k].end)
                cut(&cuts, scan->own[k].start, scan->own[k].end);
        if (!libleak_memory_for_each_own(m->start, m->end, cut_own, &cuts))
            continue;
        uintptr_t heap_max = 64u << 20;
        for (uintptr_t at = (m->start + heap_max - 1) & ~(heap_max - 1);
             !scan->raw_heap && at >= m->start && at < m->end; at += heap_max) {
            uintptr_t size;
            if (is_arena_heap(m, at, &size))
                cut(&cuts, at, at + size);
        }
        /* blocks in what is left: large blocks (mmapped chunks, 16 bytes of header) */
        size_t first = m->start ? blocks_up_to(result, m->start - 1) : 0;
        for (size_t b = first; !scan->raw_heap && b < result->count && result->blocks[b].address < m->end; b++) {
            uintptr_t address = result->blocks[b].address;
            bool in_heap = false;
            for (size_t k = 0; k < cuts.count && !in_heap; k++)
                in_heap = address >= cuts.ranges[k].start && address < cuts.ranges[k].end;
            if (!in_heap)
                cut(&cuts, (address - 16) & ~(uintptr_t)4095,
                    (address + result->blocks[b].size + 4095) & ~(uintptr_t)4095);
        }
        if (cuts.overflow) { /* too many pieces to tell: not scanned, as LeakSanitizer never does */
            if (scan->raw_heap)
                add_root(&scan->roots, m->start, m->end);
            continue;
        }
        /* sort the cuts (few), then scan the gaps */
        for (size_t a = 1; a < cuts.count; a++)
            for (size_t b = a; b > 0 && cuts.ranges[b - 1].start > cuts.ranges[b].start; b--) {
                struct libleak_reach_region swap = cuts.ranges[b];
                cuts.ranges[b] = cuts.ranges[b - 1];
                cuts.ranges[b - 1] = swap;
            }
        uintptr_t position = m->start;
        for (size_t k = 0; k <= cuts.count; k++) {
            uintptr_t gap_end = k < cuts.count ? cuts.ranges[k].start : m->end;
            if (gap_end > m->end)
                gap_end = m->end;
            if (gap_end > position)
                add_root(&scan->roots, position, gap_end);
            if (k < cuts.count && cuts.ranges[k].end > position)
                position = cuts.ranges[k].end;
        }
    }
}
