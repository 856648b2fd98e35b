/*
 * unwind — capturing the calling thread's stack as return addresses.
 *
 * Two walkers, chosen by LIBLEAK_UNWIND:
 *
 *   - the frame-pointer chain: a few loads per frame. Every step is validated before it is
 *     taken: the frame lies inside this thread's stack, above the previous one, aligned, with
 *     room for its two words (bounds written so that no sum can wrap); the return address lies
 *     in executable code of a loaded module (modules.c). A chain through code built without
 *     frame pointers is not trusted: where the return address lies in such a module, or a
 *     step fails validation, the default unwinder (auto) hands the stack to libunwind;
 *     LIBLEAK_UNWIND=fp keeps what it has.
 *   - libunwind, which reads DWARF unwind tables and so works for any code. It runs on a stack
 *     of ours (its cursor and DWARF state take kilobytes, more than a small thread stack has
 *     to spare), set up by libunwind_setup.c to make no system call: memory it is unsure of
 *     is read only where it is known to be mapped (the thread's stack, modules' segments).
 *
 * No system call either way, and no cancellation point: the thread's stack bounds come from
 * thread_stack.c, learned at load time. A stack that cannot be followed without one (on an
 * alternate signal stack, a coroutine's stack, through memory nothing vouches for) is cut short
 * where it leaves known memory, and counted ("left short").
 *
 * auto (the default) walks frame pointers in exact mode (LIBLEAK_RATE=1, and so the leak gate),
 * where every allocation pays for a stack, and uses libunwind at sampling rates, where stacks
 * are rare and the tables' answer is worth more than the cycles.
 *
 * In a fork child whose parent had other threads, libunwind is never called: it looks up unwind
 * tables with dl_iterate_phdr, whose lock another parent thread may have held at fork. There the
 * frame-pointer walk is used alone, and stacks it cannot finish are kept short and counted.
 *
 * Frames inside libleak.so itself are cut from the top of every stack.
 */
#include "alloc/unwind.h"

#include <link.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "core/config.h"
#include "alloc/libunwind_setup.h"
#include "alloc/memory.h"
#include "alloc/modules.h"
#include "alloc/stacks.h"
#include "alloc/thread.h"
#include "alloc/own_stack.h"
#include "alloc/thread_stack.h"
#include "alloc/track.h"

static uintptr_t own_code_start, own_code_end;

/* How stacks were captured, for the profile's comments. Only the exceptions are counted (an
   atomic on a shared line for every allocation would cost exact mode more than the walk): the
   stacks walked by frame pointers to the end are the others. */
static struct {
    _Atomic uint64_t fell_back; /* handed to libunwind by the default unwinder */
    _Atomic uint64_t cut;       /* left short: fp mode, no libunwind in a fork child, or memory
                                   nothing vouches for */
    _Atomic uint64_t walked;    /* by frame pointers where libunwind was asked for (fork child) */
} counts;

static bool in_own_code(uintptr_t address)
{
    return address - own_code_start < own_code_end - own_code_start;
}

/* ---- this thread's stack ---------------------------------------------------------------- */

/* This thread's stack, kept once known. Not known (yet) when the thread runs on another
   stack: asked again next time. */
static bool know_stack(struct libleak_thread *self)
{
    if (self->stack_high)
        return true;
    uintptr_t low, high;
    if (!libleak_thread_stack_find(&low, &high))
        return false;
    self->stack_low = low;
    self->stack_high = high;
    return true;
}

/* A frame record (saved %rbp, return address) at frame lies inside [low, high). Written so that
   no sum can wrap, whatever frame holds. */
static inline bool frame_fits(uintptr_t frame, uintptr_t low, uintptr_t high)
{
    return frame >= low && frame <= high - 2 * sizeof(uintptr_t) && !(frame & (sizeof(uintptr_t) - 1));
}

/* ---- the frame-pointer walk ------------------------------------------------------------- */

/*
 * Return addresses where stacks end (in __libc_start_call_main, start_thread): their code keeps
 * no frame pointer, so the chain cannot say whether more frames follow. Learned from libunwind:
 * when its walk from such an address ended within MAX_BOTTOM frames, the address is a bottom,
 * and those frames are its tail, appended without asking libunwind again.
 */
enum { BOTTOMS = 16, MAX_BOTTOM = 3 };
static struct bottom {
    _Atomic uintptr_t address; /* 0 = free slot; written last */
    int tail_count;
    uintptr_t tail[MAX_BOTTOM];
} bottoms[BOTTOMS];
static _Atomic int bottom_count;

static const struct bottom *find_bottom(uintptr_t address)
{
    int count = atomic_load_explicit(&bottom_count, memory_order_acquire);
    for (int i = 0; i < count && i < BOTTOMS; i++)
        if (atomic_load_explicit(&bottoms[i].address, memory_order_acquire) == address)
            return &bottoms[i];
    return NULL;
}

static void learn_bottom(uintptr_t address, const uintptr_t *tail, int tail_count)
{
    if (find_bottom(address))
        return;
    int slot = atomic_fetch_add_explicit(&bottom_count, 1, memory_order_relaxed);
    if (slot >= BOTTOMS) {
        atomic_store_explicit(&bottom_count, BOTTOMS, memory_order_relaxed);
        return;
    }
    struct bottom *bottom = &bottoms[slot];
    bottom->tail_count = tail_count;
    for (int i = 0; i < tail_count; i++)
        bottom->tail[i] = tail[i];
    atomic_store_explicit(&bottom->address, address, memory_order_release);
}

/* How a walk ended: at the chain's end, at a function without a frame pointer whose saved %rbp
   leads nowhere (a stack's bottom, or a caller the chain cannot name: only libunwind can tell),
   or where validation failed. */
enum walk_end { WALK_COMPLETE, WALK_AT_BOTTOM, WALK_UNSURE };

/* Walks the chain from our own frame, keeping the frames so far whatever the end. With
   WALK_AT_BOTTOM, *bottom_at is the index of the return address the walk ended on. */
static enum walk_end walk_frame_pointers(uintptr_t *frames, int depth, int *kept_out, int *bottom_at)
{
    struct libleak_thread *self = &libleak_thread;
    uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
    int kept = 0;
    *bottom_at = -1;
    *kept_out = 0;
    if (!know_stack(self))
        return WALK_UNSURE;
    uintptr_t low = self->stack_low, high = self->stack_high;
    if (!frame_fits(frame, low, high))
        return WALK_UNSURE; /* on a signal stack or a coroutine's: not ours to bound */
    /* Our own frames, cut: a record whose return address is in our code was pushed by our code
       for our code, which keeps frame pointers, so its saved %rbp is our caller's frame. */
    while (in_own_code(((const uintptr_t *)frame)[1]))
        frame = ((const uintptr_t *)frame)[0];
    while (kept < depth) {
        uintptr_t next = ((const uintptr_t *)frame)[0];
        uintptr_t return_address = ((const uintptr_t *)frame)[1];
        bool frame_pointers;
        if (!libleak_modules_code(return_address, &frame_pointers))
            break;
        frames[kept++] = return_address;
        bool next_fits = next > frame && frame_fits(next, low, high);
        if (frame_pointers && next_fits) {
            frame = next;
            continue;
        }
        *kept_out = kept;
        if (frame_pointers && next == 0)
            return WALK_COMPLETE; /* the ABI's end of the chain */
        if (!frame_pointers && !next_fits) {
            const struct bottom *bottom = find_bottom(return_address);
            if (bottom) {
                int tail = bottom->tail_count < depth - kept ? bottom->tail_count : depth - kept;
                memcpy(frames + kept, bottom->tail, (size_t)tail * sizeof *frames);
                *kept_out = kept + tail;
                return WALK_COMPLETE;
            }
            *bottom_at = kept - 1;
            return WALK_AT_BOTTOM;
        }
        return WALK_UNSURE;
    }
    *kept_out = kept;
    return kept == depth ? WALK_COMPLETE : WALK_UNSURE;
}

/* ---- libunwind, on a stack of ours ------------------------------------------------------ */

/* Enough for libunwind's cursor, its DWARF state and a dl_iterate_phdr callback, with room to
   spare; a guard page below. */
enum { ALTERNATE_STACK = 256 * 1024, ALTERNATE_STACKS = 32, PAGE = 4096 };
static struct {
    _Atomic bool busy;
    char *base; /* mapping of PAGE + ALTERNATE_STACK bytes, the first page a guard */
} alternate_stacks[ALTERNATE_STACKS];

static int take_alternate_stack(void)
{
    for (int i = 0; i < ALTERNATE_STACKS; i++) {
        if (atomic_load_explicit(&alternate_stacks[i].busy, memory_order_relaxed) ||
            atomic_exchange_explicit(&alternate_stacks[i].busy, true, memory_order_acquire))
            continue;
        if (!alternate_stacks[i].base) {
            char *base = libleak_map(PAGE + ALTERNATE_STACK);
            if (!base || mprotect(base, PAGE, PROT_NONE) != 0) {
                if (base)
                    libleak_unmap(base, PAGE + ALTERNATE_STACK);
                atomic_store_explicit(&alternate_stacks[i].busy, false, memory_order_release);
                return -1;
            }
            alternate_stacks[i].base = base;
        }
        return i;
    }
    return -1;
}

struct libunwind_request {
    void **raw;
    int want, got;
};

static void run_libunwind(void *argument)
{
    struct libunwind_request *request = argument;
    request->got = unw_backtrace(request->raw, request->want);
}

/* libunwind's frames, ours cut from the top. */
static int capture_with_libunwind(uintptr_t *frames, int depth)
{
    enum { EXTRA = LIBLEAK_OWN_FRAMES + 4, ROOMY = 128 * 1024 };
    /* A thread with room to spare below this frame (most) unwinds where it is. */
    struct libleak_thread *self = &libleak_thread;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    bool roomy = here > self->stack_low && here < self->stack_high && here - self->stack_low > ROOMY;
    int slot = roomy ? -1 : take_alternate_stack();
    libleak_libunwind_refused(); /* a refusal of another walk (the gate's) is not this one's */
    /* Our own frames on this stack, up to the hook the program called, are mapped whatever the
       stack is (a signal's alternate stack, a coroutine's): libunwind may read them, so that
       on such a stack it gets at least to the program's frame. Our code keeps frame pointers. */
    uintptr_t outermost = here;
    while (in_own_code(((const uintptr_t *)outermost)[1]) && ((const uintptr_t *)outermost)[0] > outermost)
        outermost = ((const uintptr_t *)outermost)[0];
    self->own_frames_low = here;
    self->own_frames_high = outermost + 2 * sizeof(uintptr_t);
    void *on_our_stack[slot < 0 ? LIBLEAK_MAX_DEPTH + EXTRA : 1];
    struct libunwind_request request = {on_our_stack, depth + EXTRA, 0};
    if (slot >= 0) {
        char *top = alternate_stacks[slot].base + PAGE + ALTERNATE_STACK;
        request.raw = (void **)(top - (LIBLEAK_MAX_DEPTH + EXTRA) * sizeof(void *));
        /* libunwind reads its own frames there, some of them validated */
        self->own_stack_low = (uintptr_t)alternate_stacks[slot].base + PAGE;
        self->own_stack_high = (uintptr_t)top;
        uintptr_t stack_pointer;
        __asm__ volatile("mov %%rsp, %0" : "=r"(stack_pointer));
        self->own_frames_low = stack_pointer - 2 * sizeof(uintptr_t); /* and the call's frame below */
        libleak_call_on_stack(run_libunwind, &request, (void *)((uintptr_t)request.raw & ~(uintptr_t)15));
        self->own_stack_low = self->own_stack_high = 0;
    } else {
        run_libunwind(&request);
    }
    self->own_frames_low = self->own_frames_high = 0;
    if (libleak_libunwind_refused())
        atomic_fetch_add_explicit(&counts.cut, 1, memory_order_relaxed);
    int first = 0;
    while (first < request.got && in_own_code((uintptr_t)request.raw[first]))
        first++;
    int kept = request.got - first < depth ? request.got - first : depth;
    for (int i = 0; i < kept; i++) {
        frames[i] = (uintptr_t)request.raw[first + i];
        libleak_modules_note(frames[i]); /* so that a library unloaded later is known */
    }
    if (slot >= 0)
        atomic_store_explicit(&alternate_stacks[slot].busy, false, memory_order_release);
    return kept;
}

/* ---- choosing ---------------------------------------------------------------------------- */

int libleak_unwind_capture(uintptr_t *frames, int depth)
{
    bool loader_locked = libleak_modules_loader_locked();
    if (!libleak_config.frame_pointers && !loader_locked) {
        know_stack(&libleak_thread); /* for access_memory's bounds */
        return capture_with_libunwind(frames, depth);
    }
    int kept, bottom_at;
    enum walk_end end = walk_frame_pointers(frames, depth, &kept, &bottom_at);
    bool alone = libleak_config.unwinder == LIBLEAK_UNWIND_FP || loader_locked;
    /* Walking frame pointers alone, a bottom is where stacks end, as for any such walker. */
    if (end == WALK_COMPLETE || (alone && end == WALK_AT_BOTTOM)) {
        if (!libleak_config.frame_pointers)
            atomic_fetch_add_explicit(&counts.walked, 1, memory_order_relaxed);
        return kept;
    }
    if (alone) {
        atomic_fetch_add_explicit(&counts.cut, 1, memory_order_relaxed);
        return kept;
    }
    atomic_fetch_add_explicit(&counts.fell_back, 1, memory_order_relaxed);
    uintptr_t walked_to = end == WALK_AT_BOTTOM ? frames[bottom_at] : 0;
    int count = capture_with_libunwind(frames, depth);
    /* libunwind agrees up to that frame and ends soon after it: a stack's bottom, remembered
       with its tail. */
    if (walked_to && bottom_at < count && frames[bottom_at] == walked_to &&
        count - bottom_at - 1 <= MAX_BOTTOM && count < depth)
        learn_bottom(walked_to, frames + bottom_at + 1, count - bottom_at - 1);
    return count;
}

void libleak_unwind_describe(char *text, size_t size)
{
    /* Every capture ends as a sample or a dropped one. */
    uint64_t captured = libleak_stacks_samples() + atomic_load(&libleak_counters.dropped_stacks) +
                        atomic_load(&libleak_counters.dropped_live);
    uint64_t fell_back = atomic_load(&counts.fell_back), cut = atomic_load(&counts.cut),
             walked = atomic_load(&counts.walked);
    uint64_t by_libunwind = 0;
    if (libleak_config.frame_pointers)
        walked = captured > fell_back + cut ? captured - fell_back - cut : 0;
    else
        by_libunwind = captured > walked + cut ? captured - walked - cut : 0;
    snprintf(text, size,
             "unwinding (%s): %llu stacks by frame pointers, %llu fell back to libunwind, %llu by libunwind, "
             "%llu left short",
             libleak_config.unwinder == LIBLEAK_UNWIND_FP          ? "fp"
             : libleak_config.unwinder == LIBLEAK_UNWIND_LIBUNWIND ? "libunwind"
                                                                   : "auto",
             (unsigned long long)walked, (unsigned long long)fell_back, (unsigned long long)by_libunwind,
             (unsigned long long)cut);
}

static int find_own_code(struct dl_phdr_info *info, size_t size, void *context)
{
    (void)size;
    (void)context;
    uintptr_t start = UINTPTR_MAX, end = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type != PT_LOAD || !(segment->p_flags & PF_X))
            continue;
        uintptr_t low = info->dlpi_addr + segment->p_vaddr;
        if (low < start)
            start = low;
        if (low + segment->p_memsz > end)
            end = low + segment->p_memsz;
    }
    uintptr_t probe = (uintptr_t)&libleak_unwind_init;
    if (probe >= start && probe < end) {
        own_code_start = start;
        own_code_end = end;
        return 1;
    }
    return 0;
}

void libleak_unwind_init(void)
{
    dl_iterate_phdr(find_own_code, NULL);
    libleak_thread_stack_init();
    libleak_modules_init();
    if (libleak_config.unwinder == LIBLEAK_UNWIND_AUTO)
        libleak_config.frame_pointers = libleak_config.rate == 1;
    libleak_libunwind_init();
}
