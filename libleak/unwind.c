/*
 * unwind — capturing the calling thread's stack as return addresses.
 *
 * Two walkers: libunwind (the default; it reads DWARF unwind tables, so it works for code
 * built without frame pointers) and, with LIBLEAK_UNWIND=fp, a bounds-checked walk of the
 * frame-pointer chain. Frames inside libleak.so itself are cut from the top of every stack.
 * Everything the walkers share (our own code range, libunwind's set-up) lives here, so that
 * the rest of the library only sees libleak_unwind_capture.
 */
#include "unwind.h"

#include <fcntl.h>
#include <link.h>
#include <sys/resource.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "config.h"
#include "thread.h"

static uintptr_t own_code_start, own_code_end;

struct code_range {
    uintptr_t probe, start, end;
};

static int find_own_code(struct dl_phdr_info *info, size_t size, void *context)
{
    (void)size;
    struct code_range *range = context;
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
    if (range->probe >= start && range->probe < end) {
        range->start = start;
        range->end = end;
        return 1;
    }
    return 0;
}

/*
 * libunwind (1.6) validates addresses by writing a byte of memory into a pipe it opens once, at
 * the lowest free descriptors, and reopens only when a read from it fails. A program that
 * closes its descriptors and opens files would get those numbers back, and libunwind would then
 * read from and write into the program's files. So we have libunwind start while every
 * descriptor below HIGH_DESCRIPTORS is taken: its pipe lands above the numbers a program hands
 * out. (If the program closes it anyway, libunwind's failed read makes it open a new pipe at
 * numbers that are free at that moment, which the program has not handed out either.)
 */
#define HIGH_DESCRIPTORS 1000

static void start_libunwind_on_high_descriptors(void)
{
    struct rlimit limit;
    int ceiling = HIGH_DESCRIPTORS;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < (rlim_t)ceiling + 16)
        ceiling = limit.rlim_cur > 64 ? (int)limit.rlim_cur - 16 : 0;
    int placeholder = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int taken[HIGH_DESCRIPTORS];
    int count = 0;
    if (placeholder >= 0 && placeholder < ceiling) {
        int fd;
        while (count < HIGH_DESCRIPTORS && (fd = fcntl(placeholder, F_DUPFD_CLOEXEC, 0)) >= 0) {
            if (fd >= ceiling) {
                close(fd);
                break;
            }
            taken[count++] = fd;
        }
    }
    /* Any call that initialises libunwind opens the pipe. No register-state cache: this
	   libunwind takes a mutex for it even when asked to cache per thread, and holds it across
	   dl_iterate_phdr; a thread sampled inside the program's own dl_iterate_phdr callback
	   (holding the loader's lock) then deadlocked with one unwinding elsewhere
	   (tests/cases/lib_loader_callbacks.sh). unw_backtrace's per-thread trace cache still
	   works, and churn in exact mode measured the same with and without the cache. */
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_NONE);
    void *frames[4];
    unw_backtrace(frames, 4);
    while (count > 0)
        close(taken[--count]);
    if (placeholder >= 0)
        close(placeholder);
}

static bool in_own_code(uintptr_t address)
{
    return address - own_code_start < own_code_end - own_code_start;
}

/* Walks the frame-pointer chain. Every frame pointer must lie inside this thread's stack and
   above the previous one, so a program built without frame pointers yields a short (or, where
   a register happens to hold a stack address, a wrong) stack, but never a read outside the
   stack. Our own frames keep their frame pointers (we build with -fno-omit-frame-pointer). */
static int capture_by_frame_pointers(uintptr_t *frames, int depth)
{
    const struct libleak_thread *self = &libleak_thread;
    uintptr_t low = self->stack_low, high = self->stack_high;
    uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
    int kept = 0;
    bool leading = true;
    while (kept < depth && frame >= low && frame + 2 * sizeof(uintptr_t) <= high && !(frame & 7)) {
        uintptr_t next = ((const uintptr_t *)frame)[0];
        uintptr_t return_address = ((const uintptr_t *)frame)[1];
        if (return_address < 4096)
            break;
        if (!(leading && in_own_code(return_address))) {
            leading = false;
            frames[kept++] = return_address;
        }
        if (next <= frame)
            break;
        frame = next;
    }
    return kept;
}

int libleak_unwind_capture(uintptr_t *frames, int depth)
{
    if (libleak_config.frame_pointers && libleak_thread.stack_high)
        return capture_by_frame_pointers(frames, depth);

    /* Room for our own frames, which are cut below. */
    enum { EXTRA = 8 };
    void *raw[256 + EXTRA];
    int count = unw_backtrace(raw, depth + EXTRA);
    int first = 0;
    while (first < count && in_own_code((uintptr_t)raw[first]))
        first++;
    int kept = count - first < depth ? count - first : depth;
    for (int i = 0; i < kept; i++)
        frames[i] = (uintptr_t)raw[first + i];
    return kept;
}

void libleak_unwind_init(void)
{
    struct code_range own = {(uintptr_t)&libleak_unwind_init, 0, 0};
    dl_iterate_phdr(find_own_code, &own);
    own_code_start = own.start;
    own_code_end = own.end;
    start_libunwind_on_high_descriptors();
}
