/*
 * reach — the reachability scan (reach.h), driven from inside a dl_iterate_phdr callback, like
 * LeakSanitizer's: the loader lock is ours, so no thread is stopped holding it, and the module
 * list cannot change under the scan.
 *
 * In the stopped world, in this order: collect the live blocks, read the memory map, sort the
 * blocks (the anonymous roots look blocks up by address), walk the modules, add each thread's
 * roots and then the anonymous memory, classify. Everything the scan maps for itself is noted
 * as its own, so that no anonymous root covers it.
 */
#include "gate/reach.h"

#include <limits.h>
#include <link.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "alloc/live.h"
#include "alloc/modules.h"
#include "core/config.h"
#include "core/log.h"
#include "os/libc.h"
#include "gate/exit_caller.h"
#include "gate/reach_private.h"
#include "gate/roots.h"
#include "gate/stop_world.h"

#if defined(__x86_64__)
#define RED_ZONE 128
#else
#define RED_ZONE 0
#endif

static void note_own(struct scan_context *scan, const void *address, size_t bytes)
{
    if (address && scan->own_count < 8)
        scan->own[scan->own_count++] =
                (struct libleak_reach_region){(uintptr_t)address, (uintptr_t)address + bytes, false};
}

static void collect_block(uintptr_t address, struct libleak_live_block block, void *context)
{
    struct libleak_reach_result *result = context;
    if (result->count >= result->capacity) {
        result->truncated = true;
        return;
    }
    result->blocks[result->count++] =
            (struct libleak_reach_block){.address = address, .size = block.size, .stack = block.stack};
}

static void classify_stopped_world(struct scan_context *scan)
{
    struct libleak_reach_result *result = scan->result;
    /* At most INT_MAX blocks: lookups count them in an int (common/sorted.h). The rest, were
       there ever so many, would be reported as not checked (truncated). */
    result->capacity = libleak_live_count() + 4096;
    if (result->capacity > INT_MAX)
        result->capacity = INT_MAX;
    size_t bytes = round_pages(result->capacity * sizeof *result->blocks);
    result->blocks = map_zeroed(bytes);
    if (!result->blocks)
        return;
    note_own(scan, result->blocks, bytes);
    libleak_live_for_each(collect_block, result);
    if (!libleak_memory_map_read(&scan->map))
        return;
    note_own(scan, scan->map.areas, scan->map.bytes);
    size_t thread_count, threads_bytes;
    struct thread_slot *threads = libleak_world_threads(&thread_count, &threads_bytes);
    note_own(scan, threads, threads_bytes);
    /* sorted now for the anonymous roots (blocks inside a mapping); the classification then
       finds them sorted */
    size_t scratch_bytes = round_pages(result->count * sizeof *result->blocks + 1);
    struct libleak_reach_block *scratch = map_zeroed(scratch_bytes);
    if (!scratch)
        return;
    libleak_reach_sort(result->blocks, result->count, scratch);
    munmap(scratch, scratch_bytes);
    struct roots *roots = &scan->roots;
    roots->map = &scan->map;
    roots->capacity = 1 << 16;
    roots->bytes = round_pages(roots->capacity * sizeof *roots->regions);
    roots->regions = map_zeroed(roots->bytes);
    roots->forced_capacity = MAX_THREADS + 1;
    roots->forced_bytes = round_pages(roots->forced_capacity * sizeof(uintptr_t));
    roots->forced = map_zeroed(roots->forced_bytes);
    note_own(scan, roots->regions, roots->bytes);
    note_own(scan, roots->forced, roots->forced_bytes);
    static struct module_walk walk; /* large: not on the (maybe small) stack */
    memset(&walk, 0, sizeof walk);
    walk.scan = scan;
    walk.tp = thread_pointer();
    if (!roots->regions || !roots->forced)
        return;
    /* The loader lock is recursive: we already hold it (modules.h: in a fork child that may
       have inherited it held, the list is read without it). */
    libleak_modules_iterate(libleak_roots_visit_module, &walk);
    /* sorted for the classifier's binary search (a few hundred, nearly in order already) */
    for (size_t a = 1; a < walk.vtable_area_count; a++)
        for (size_t b = a; b > 0 && walk.vtable_areas[b - 1].start > walk.vtable_areas[b].start; b--) {
            struct libleak_reach_region swap = walk.vtable_areas[b];
            walk.vtable_areas[b] = walk.vtable_areas[b - 1];
            walk.vtable_areas[b - 1] = swap;
        }

    pid_t pid = getpid();
    if (scan->caller) {
        libleak_roots_add_thread(scan, &walk, scan->scan_from, walk.tp);
        libleak_roots_add_registers(scan, scan->caller->registers, scan->caller->register_count);
        /* exit() from a handler on an alternate signal stack: the thread's own stack too */
        libleak_roots_add_home_stack(scan, scan->scan_from, walk.tp, (pid_t)syscall(SYS_gettid) == pid);
    }
    static uintptr_t stack_pointers[MAX_THREADS + MAX_OWN_THREADS + 1];
    size_t stack_pointer_count = 0;
    stack_pointers[stack_pointer_count++] = scan->scan_from;
    bool own_stacks_known = true;
    const pid_t *own_threads;
    size_t own_thread_count = libleak_world_own_threads(&own_threads);
    for (size_t k = 0; k < own_thread_count; k++) {
        uintptr_t sp = libleak_own_thread_stack_pointer(own_threads[k]);
        if (sp)
            stack_pointers[stack_pointer_count++] = sp;
        else
            own_stacks_known = false;
    }
    /* A libleak thread caught running has a stack we cannot tell from the program's memory:
       then no anonymous mapping is scanned (as LeakSanitizer never does). */
    bool scan_anonymous = own_stacks_known && libleak_allocator_is_glibc();
    for (size_t i = 0; i < thread_count; i++) {
        struct thread_slot *slot = &threads[i];
        switch (atomic_load(&slot->state)) {
        case SLOT_TRACED: {
            /* stopped anywhere, maybe in a leaf function that keeps data in the 128-byte red
               zone below sp (a signal handler's frame would have skipped it) */
            uintptr_t low = slot->traced.sp - RED_ZONE;
            const struct libleak_map_area *stack = libleak_memory_map_find(&scan->map, slot->traced.sp);
            if (stack && low < stack->start)
                low = stack->start;
            libleak_roots_add_thread(scan, &walk, low, slot->traced.tp);
            libleak_roots_add_home_stack(scan, low, slot->traced.tp, slot->tid == pid);
            libleak_roots_add_registers(scan, slot->traced.registers, LIBLEAK_REGISTER_WORDS);
            stack_pointers[stack_pointer_count++] = slot->traced.sp;
            result->threads_stopped++;
            break;
        }
        case SLOT_STOPPED:
            libleak_roots_add_thread(scan, &walk, slot->sp, slot->tp);
            libleak_roots_add_home_stack(scan, slot->sp, slot->tp, slot->tid == pid);
            stack_pointers[stack_pointer_count++] = slot->sp;
            result->threads_stopped++;
            break;
        case SLOT_SLEEPING:
            libleak_roots_add_thread(scan, &walk, slot->sp, 0);
            stack_pointers[stack_pointer_count++] = slot->sp;
            result->threads_sleeping++;
            break;
        case SLOT_SIGNALLED: {
            /* did not stop in time: scan what the kernel tells if it sleeps in a system call */
            uintptr_t sp = libleak_sleeping_stack_pointer(slot->tid);
            if (sp) {
                libleak_roots_add_thread(scan, &walk, sp, 0);
                stack_pointers[stack_pointer_count++] = sp;
                result->threads_sleeping++;
            } else if (scan_anonymous && slot->tid != pid) {
                /* Its stack is an anonymous mapping with no known stack pointer in it: the
                   anonymous roots below take it whole (stale frames too). */
                libleak_log("leak gate: thread %d did not stop%s; its stack is scanned whole, its registers "
                            "are not",
                            (int)slot->tid, slot->given_up ? " (it blocks signals)" : "");
            } else {
                result->threads_unscanned++;
                libleak_log("leak gate: thread %d did not stop%s; its stack is not scanned", (int)slot->tid,
                            slot->given_up ? " (it blocks signals)" : "");
            }
            break;
        }
        default: break;
        }
    }
    if (scan_anonymous)
        libleak_roots_add_anonymous(scan, &walk, stack_pointers, stack_pointer_count);
    /* a sampled verdict without all of the heap would not be conservative */
    if (scan->raw_heap && (!scan_anonymous || roots->overflow))
        result->heap_unscanned = true;
    result->root_bytes = roots->total;
    libleak_reach_classify(result->blocks, result->count, roots->regions, roots->count, roots->forced,
                           roots->forced_count,
                           &(struct libleak_classify_setting){libleak_world_may_run(), walk.vtable_areas,
                                                              walk.vtable_area_count});
}

static int scan_under_loader_lock(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)info;
    (void)size;
    struct scan_context *scan = data;
    if (scan->done)
        return 1;
    scan->done = true;

    struct timespec stopped, resumed;
    clock_gettime(CLOCK_MONOTONIC, &stopped);
    if (!libleak_stop_world())
        return 1;
    classify_stopped_world(scan);
    scan->held = libleak_world_held();

    libleak_resume_world();
    clock_gettime(CLOCK_MONOTONIC, &resumed);
    scan->result->pause_nanos = (uint64_t)((int64_t)(resumed.tv_sec - stopped.tv_sec) * 1000000000 +
                                           (resumed.tv_nsec - stopped.tv_nsec));
    return 1;
}

/* A scan during which a thread found asleep woke (and may have moved pointers, allocated or
   started threads) is not trusted: it is redone, a few times at most. Such a thread is
   usually one of glibc's short waits with every signal blocked (pthread_create waiting for
   the stack cache's lock while another thread exits). */
#define SCAN_ATTEMPTS 5

bool libleak_reach_scan(struct libleak_reach_result *result, const struct libleak_exit_caller *caller)
{
    for (int attempt = 1;; attempt++) {
        memset(result, 0, sizeof *result);
        /* No caller: the calling thread is one of ours (check.c); its stack is no root, and
           is kept out of the anonymous memory through this frame's address. */
        struct scan_context scan = {
                .result = result,
                .scan_from = caller ? caller->sp : (uintptr_t)__builtin_frame_address(0),
                .caller = caller,
                .own_code = (uintptr_t)&scan_under_loader_lock,
                .raw_heap = libleak_config.rate != 1};
        libleak_modules_iterate(scan_under_loader_lock, &scan);
        libleak_memory_map_release(&scan.map);
        if (scan.roots.regions)
            munmap(scan.roots.regions, scan.roots.bytes);
        if (scan.roots.forced)
            munmap(scan.roots.forced, scan.roots.forced_bytes);
        if (scan.held || !result->blocks)
            break;
        if (attempt == SCAN_ATTEMPTS) {
            libleak_log("leak gate: threads that block signals kept waking during the scan; its verdict may "
                        "be wrong");
            break;
        }
        libleak_reach_release(result);
        struct timespec pause = {0, 1000 * 1000 * attempt};
        nanosleep(&pause, NULL);
    }
    return result->blocks != NULL;
}

void libleak_reach_release(struct libleak_reach_result *result)
{
    if (result->blocks)
        munmap(result->blocks, round_pages(result->capacity * sizeof *result->blocks));
    result->blocks = NULL;
    result->count = 0;
}
