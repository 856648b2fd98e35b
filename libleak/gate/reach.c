/*
 * reach — stop the world, find the roots, scan, classify (see reach.h).
 *
 * Stopping threads: each other thread gets LIBLEAK_STOP_SIGNAL (tgkill); the handler spills the
 * registers with getcontext into its own frame (the kernel's signal frame above it already
 * holds the interrupted registers too), publishes its stack pointer and thread pointer and waits
 * on a futex until released. That is the Boehm collector's approach. LeakSanitizer ptraces the
 * threads from a helper task instead; we do not, because a process cannot ptrace its own
 * threads, a helper needs ptrace permission (Yama, containers, seccomp) and fails whenever a
 * debugger or strace already traces the program — a CI gate must not depend on that.
 *
 * A thread that blocks the signal while sleeping in a system call (a sigwait thread) is not
 * signalled, because our signal would be taken by its sigwait; it is scanned from the stack
 * pointer the kernel reports in /proc/self/task/T/syscall. libleak's own threads (named
 * "libleak-...") never touch the program's memory and are left alone.
 *
 * The stop runs inside a dl_iterate_phdr callback, like LeakSanitizer's: the loader lock is
 * ours, so no thread is stopped holding it, and the module list cannot change under the scan.
 */
#include "gate/reach.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "os/descriptors.h"
#include "alloc/live.h"
#include "alloc/memory.h"
#include "alloc/modules.h"
#include "alloc/real.h"
#include "core/log.h"

#if defined(__x86_64__)
#define DTV_OFFSET 8 /* tcbhead_t: tcb, dtv, self */
#elif defined(__aarch64__)
#define DTV_OFFSET 0 /* tcbhead_t: dtv, private */
#endif

static uintptr_t thread_pointer(void)
{
#if defined(__x86_64__)
    uintptr_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return tp;
#else
    return (uintptr_t)__builtin_thread_pointer();
#endif
}

static uint32_t thread_descriptor_size = 2304; /* glibc 2.36 x86_64; replaced by libc's own answer */

/* Anonymous memory is scanned only over glibc's malloc: we know its heaps and large blocks
   and cut them out, whereas another allocator's metadata (jemalloc's extents, tcmalloc's spans)
   points at the first block of every slab and would make lost blocks look reachable. */
static bool allocator_is_glibc;

void libleak_reach_init(void)
{
    Dl_info where;
    if (libleak_real.malloc && dladdr((void *)libleak_real.malloc, &where) && where.dli_fname) {
        const char *slash = strrchr(where.dli_fname, '/');
        allocator_is_glibc = strncmp(slash ? slash + 1 : where.dli_fname, "libc.so", 7) == 0;
    }
    const uint32_t *size = dlsym(RTLD_DEFAULT, "_thread_db_sizeof_pthread");
    if (size && *size >= 256 && *size <= 65536)
        thread_descriptor_size = *size;
}

/* ---- working memory: mapped directly, never the program's heap ---- */

static void *map_zeroed(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static size_t round_pages(size_t bytes)
{
    return (bytes + 4095) & ~(size_t)4095;
}

/* ---- sorting and lookup ---- */

/* LSD radix sort on the address, 16 bits a pass: 10^6 blocks in a few ms, no allocation. */
static void sort_blocks(struct libleak_reach_block *blocks, size_t count, struct libleak_reach_block *scratch)
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
};

/* The block that address points into (start or interior), or -1. A zero-sized block is hit by
   its start only. Two levels: every COARSE-th start in a small array that stays in cache, then
   the COARSE starts between two of them. */
#define COARSE 64

static ptrdiff_t find_block(const struct classifier *c, uintptr_t address)
{
    if (address < c->low || address >= c->high)
        return -1;
    size_t lo = 0, hi = c->coarse_count; /* first coarse start > address is at hi */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->coarse[mid] <= address)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* coarse[lo - 1] = starts[(lo - 1) * COARSE] <= address: search the group that follows it */
    size_t first = (lo - 1) * COARSE, last = first + COARSE < c->count ? first + COARSE : c->count;
    lo = first + 1;
    hi = last;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->starts[mid] <= address)
            lo = mid + 1;
        else
            hi = mid;
    }
    const struct libleak_reach_block *b = &c->blocks[lo - 1];
    if (address - b->address < b->size || address == b->address)
        return (ptrdiff_t)(lo - 1);
    return -1;
}

static void push(struct classifier *c, size_t index)
{
    if (c->depth < c->capacity)
        c->stack[c->depth++] = (uint32_t)index;
}

/* memcheck's heuristics (on by default there, --leak-check-heuristics=all): an interior pointer
   that is really how the program refers to the block counts as a start pointer. */
static bool heuristic_start(const struct libleak_reach_block *b, uintptr_t address)
{
    const uint64_t *words = (const uint64_t *)b->address;
    uint64_t offset = address - b->address;
    if (offset == 3 * sizeof(uint64_t) && b->size >= 3 * sizeof(uint64_t)) {
        /* std::string (old ABI): length, capacity, refcount, characters, NUL */
        uint64_t length = words[0], capacity = words[1];
        if (3 * sizeof(uint64_t) + capacity + 1 == b->size && length <= capacity)
            return true;
    }
    if (offset == sizeof(uint64_t) && b->size >= sizeof(uint64_t)) {
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
   anything else makes an unreached block possibly lost. A block whose state rose is (re)scanned. */
static void mark(struct classifier *c, uintptr_t address, bool prior_definite)
{
    ptrdiff_t i = find_block(c, address);
    if (i < 0)
        return;
    struct libleak_reach_block *b = &c->blocks[i];
    if (b->state == LIBLEAK_REACHABLE)
        return;
    bool start = address == b->address || heuristic_start(b, address);
    if (start && prior_definite) {
        b->state = LIBLEAK_REACHABLE;
        push(c, (size_t)i);
    } else if (b->state == LIBLEAK_UNREACHED) {
        b->state = LIBLEAK_POSSIBLE;
        push(c, (size_t)i);
    }
}

static void scan_words(struct classifier *c, uintptr_t start, uintptr_t end, bool prior_definite)
{
    start = (start + sizeof(uintptr_t) - 1) & ~(uintptr_t)(sizeof(uintptr_t) - 1);
    for (uintptr_t p = start; p + sizeof(uintptr_t) <= end; p += sizeof(uintptr_t)) {
        uintptr_t word = *(const uintptr_t *)p;
        if (word >= c->low && word < c->high)
            mark(c, word, prior_definite);
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
        uintptr_t word = *(const uintptr_t *)p;
        if (word >= c->low && word < c->high && !is_next_chunk_header(c, word))
            mark(c, word, true);
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
                uintptr_t word = *(const uintptr_t *)p;
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
                            const uintptr_t *forced, size_t forced_count)
{
    if (!count)
        return;
    size_t scratch_bytes = round_pages(count * sizeof *blocks);
    size_t starts_bytes = round_pages(count * sizeof(uintptr_t));
    size_t stack_bytes = round_pages(2 * count * sizeof(uint32_t) + 64);
    struct libleak_reach_block *scratch = map_zeroed(scratch_bytes);
    struct classifier c = {.blocks = blocks, .count = count};
    size_t coarse_bytes = round_pages((count / COARSE + 1) * sizeof(uintptr_t));
    c.starts = map_zeroed(starts_bytes);
    c.coarse = map_zeroed(coarse_bytes);
    c.stack = map_zeroed(stack_bytes);
    c.capacity = stack_bytes / sizeof(uint32_t);
    if (!scratch || !c.starts || !c.coarse || !c.stack) {
        /* No memory to classify: call everything reachable rather than fail a build on it. */
        for (size_t i = 0; i < count; i++)
            blocks[i].state = LIBLEAK_REACHABLE;
        goto out;
    }
    bool sorted = true;
    for (size_t i = 1; i < count && sorted; i++)
        sorted = blocks[i - 1].address < blocks[i].address;
    if (!sorted)
        sort_blocks(blocks, count, scratch);
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
}

/* ---- the memory map, read without malloc ---- */

struct mapping {
    uintptr_t start, end;
    bool readable;
    bool writable;
    bool anonymous; /* no file and no kernel name ([heap], [stack], ...) but [anon:NAME] */
};

struct memory_map {
    struct mapping *mappings;
    size_t count, capacity;
    size_t bytes;
};

static bool read_memory_map(struct memory_map *map)
{
    map->capacity = 65536;
    map->bytes = round_pages(map->capacity * sizeof *map->mappings);
    map->mappings = map_zeroed(map->bytes);
    if (!map->mappings)
        return false;
    int fd = libleak_open_high("/proc/self/maps", O_RDONLY, 0);
    if (fd < 0)
        return false;
    char buffer[8192], line[1024];
    size_t line_length = 0;
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buffer[i] != '\n') {
                if (line_length < sizeof line - 1)
                    line[line_length++] = buffer[i];
                continue;
            }
            line[line_length] = '\0';
            line_length = 0;
            char *p = line;
            uintptr_t start = 0, end = 0;
            while (*p && *p != '-')
                start = start * 16 + (uintptr_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10), p++;
            if (*p == '-')
                p++;
            while (*p && *p != ' ')
                end = end * 16 + (uintptr_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10), p++;
            if (*p == ' ')
                p++;
            bool readable = p[0] == 'r', writable = p[0] && p[1] == 'w';
            /* then offset, device, inode and the name, if any */
            for (int field = 0; field < 4 && *p; field++) {
                while (*p && *p != ' ')
                    p++;
                while (*p == ' ')
                    p++;
            }
            bool anonymous = *p == '\0' || strncmp(p, "[anon:", 6) == 0;
            if (map->count < map->capacity)
                map->mappings[map->count++] = (struct mapping){start, end, readable, writable, anonymous};
        }
    }
    close(fd);
    return map->count > 0;
}

static const struct mapping *mapping_of(const struct memory_map *map, uintptr_t address)
{
    size_t lo = 0, hi = map->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (map->mappings[mid].end <= address)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < map->count && map->mappings[lo].start <= address)
        return &map->mappings[lo];
    return NULL;
}

/* ---- roots ---- */

struct roots {
    struct libleak_reach_region *regions;
    size_t count, capacity, bytes;
    uintptr_t *forced; /* DTV pointers */
    size_t forced_count, forced_capacity, forced_bytes;
    const struct memory_map *map;
    uint64_t total;
};

/* Adds [start, end) clipped to readable mappings. */
static void add_root_of(struct roots *roots, uintptr_t start, uintptr_t end, bool allocator_data)
{
    while (start < end) {
        const struct mapping *m = mapping_of(roots->map, start);
        if (!m) {
            /* skip to the next mapping */
            size_t lo = 0, hi = roots->map->count;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (roots->map->mappings[mid].start <= start)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo >= roots->map->count)
                return;
            start = roots->map->mappings[lo].start;
            continue;
        }
        uintptr_t piece_end = m->end < end ? m->end : end;
        if (m->readable && roots->count < roots->capacity) {
            roots->regions[roots->count++] = (struct libleak_reach_region){start, piece_end, allocator_data};
            roots->total += piece_end - start;
        }
        start = piece_end;
    }
}

static void add_root(struct roots *roots, uintptr_t start, uintptr_t end)
{
    add_root_of(roots, start, end, false);
}

/* ---- threads ---- */

enum slot_state { SLOT_SIGNALLED = 1, SLOT_STOPPED, SLOT_LEFT, SLOT_SLEEPING, SLOT_GONE, SLOT_UNSCANNED };

struct thread_slot {
    _Atomic pid_t tid;
    _Atomic int state;
    uintptr_t sp;
    uintptr_t tp;
    int64_t blocked_since; /* wait_for_stops only: when it was first seen blocking the signal */
    bool given_up;         /* wait_for_stops only: it keeps the signal blocked; not waited for */
};

#define MAX_THREADS 32768

static struct thread_slot *slots;
static _Atomic size_t slot_count;
static _Atomic int released; /* futex word: 0 while the world is stopped */
static _Atomic bool stopping;
/* libleak's own threads (not stopped): their stacks are no roots */
#define MAX_OWN_THREADS 16
static pid_t own_threads[MAX_OWN_THREADS];
static size_t own_thread_count;

static long futex(_Atomic int *word, int operation, int value)
{
    return syscall(SYS_futex, word, operation, value, NULL, NULL, 0);
}

static void on_stop_signal(int signal_number, siginfo_t *info, void *context)
{
    (void)signal_number;
    (void)context;
    int saved_errno = errno;
    if (!atomic_load(&stopping) || info->si_pid != getpid()) {
        errno = saved_errno; /* not ours: a stray one during the check is dropped */
        return;
    }
    pid_t self = (pid_t)syscall(SYS_gettid);
    size_t count = atomic_load(&slot_count);
    struct thread_slot *slot = NULL;
    for (size_t i = 0; i < count; i++)
        if (atomic_load(&slots[i].tid) == self && atomic_load(&slots[i].state) == SLOT_SIGNALLED)
            slot = &slots[i];
    if (!slot || atomic_load(&released)) {
        errno = saved_errno;
        return;
    }
    ucontext_t registers; /* callee-saved registers land here, on the stack we scan */
    getcontext(&registers);
    slot->sp = (uintptr_t)&registers;
    slot->tp = thread_pointer();
    atomic_store(&slot->state, SLOT_STOPPED);
    while (!atomic_load(&released))
        futex(&released, FUTEX_WAIT_PRIVATE, 0);
    __asm__ volatile("" ::"r"(&registers) : "memory"); /* keep registers alive until released */
    atomic_store(&slot->state, SLOT_LEFT);
    errno = saved_errno;
}

/* Reads a small /proc file into buffer (NUL-terminated); false when it cannot. */
static bool read_small(const char *path, char *buffer, size_t size)
{
    int fd = libleak_open_high(path, O_RDONLY, 0);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buffer, size - 1);
    close(fd);
    if (n < 0)
        return false;
    buffer[n] = '\0';
    return true;
}

static void task_path(char *out, size_t size, pid_t tid, const char *leaf)
{
    /* no snprintf: it may allocate for some formats, and stays out of a stopped world */
    char digits[16];
    int n = 0;
    unsigned value = (unsigned)tid;
    do
        digits[n++] = (char)('0' + value % 10);
    while ((value /= 10) && n < 15);
    size_t used = 0;
    const char *prefix = "/proc/self/task/";
    while (*prefix && used < size - 1)
        out[used++] = *prefix++;
    while (n && used < size - 1)
        out[used++] = digits[--n];
    if (used < size - 1)
        out[used++] = '/';
    while (*leaf && used < size - 1)
        out[used++] = *leaf++;
    out[used] = '\0';
}

static bool is_own_thread(pid_t tid)
{
    char path[64], comm[64];
    task_path(path, sizeof path, tid, "comm");
    return read_small(path, comm, sizeof comm) && strncmp(comm, "libleak-", 8) == 0;
}

static bool blocks_stop_signal(pid_t tid)
{
    char path[64], status[4096];
    task_path(path, sizeof path, tid, "status");
    if (!read_small(path, status, sizeof status))
        return false;
    const char *line = strstr(status, "SigBlk:");
    if (!line)
        return false;
    line += 7;
    while (*line == ' ' || *line == '\t')
        line++;
    const char *end = line;
    while ((*end >= '0' && *end <= '9') || (*end >= 'a' && *end <= 'f'))
        end++;
    int bit = LIBLEAK_STOP_SIGNAL - 1; /* bit 0 (last hex digit) is signal 1 */
    const char *digit = end - 1 - bit / 4;
    if (digit < line)
        return false;
    int value = *digit <= '9' ? *digit - '0' : *digit - 'a' + 10;
    return (value >> (bit % 4)) & 1;
}

/* System calls a thread may sleep in for long: a thread that blocks the stop signal there is
   scanned without being stopped. Not the short ones glibc's start_thread makes with every
   signal blocked (rseq, set_robust_list, rt_sigprocmask): a thread caught there is signalled,
   and stops as soon as it unblocks signals. */
static bool is_sleeping_call(long number)
{
    static const long calls[] = {
            SYS_futex,      SYS_rt_sigtimedwait, SYS_rt_sigsuspend, SYS_nanosleep,    SYS_clock_nanosleep,
            SYS_ppoll,      SYS_pselect6,        SYS_epoll_pwait,   SYS_read,         SYS_readv,
            SYS_pread64,    SYS_recvfrom,        SYS_recvmsg,       SYS_accept4,      SYS_wait4,
            SYS_waitid,     SYS_msgrcv,          SYS_semtimedop,    SYS_io_getevents,
#ifdef SYS_pause
            SYS_pause,
#endif
#ifdef SYS_poll
            SYS_poll,
#endif
#ifdef SYS_select
            SYS_select,
#endif
#ifdef SYS_epoll_wait
            SYS_epoll_wait,
#endif
#ifdef SYS_accept
            SYS_accept,
#endif
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        if (calls[i] == number)
            return true;
    return false;
}

/* The stack pointer /proc reports for a thread in a system call (any call when any_call,
   else only one it sleeps in); 0 when it is running or in another call. */
static uintptr_t syscall_stack_pointer(pid_t tid, bool any_call)
{
    char path[64], text[512];
    task_path(path, sizeof path, tid, "syscall");
    if (!read_small(path, text, sizeof text) || strncmp(text, "running", 7) == 0)
        return 0;
    /* "nr a1 a2 a3 a4 a5 a6 sp pc" or "-1 sp pc": the stack pointer is the second last field */
    const char *fields[12];
    int count = 0;
    for (char *p = text; *p && count < 12;) {
        while (*p == ' ' || *p == '\n')
            p++;
        if (!*p)
            break;
        fields[count++] = p;
        while (*p && *p != ' ' && *p != '\n')
            p++;
    }
    if (count < 3 || (fields[0][0] == '-' && !any_call))
        return 0;
    long number = 0;
    for (const char *d = fields[0]; *d >= '0' && *d <= '9'; d++)
        number = number * 10 + (*d - '0');
    if (!any_call && !is_sleeping_call(number))
        return 0;
    const char *sp = fields[count - 2];
    if (sp[0] != '0' || sp[1] != 'x')
        return 0;
    uintptr_t value = 0;
    for (sp += 2; (*sp >= '0' && *sp <= '9') || (*sp >= 'a' && *sp <= 'f'); sp++)
        value = value * 16 + (uintptr_t)(*sp <= '9' ? *sp - '0' : *sp - 'a' + 10);
    return value;
}

static uintptr_t sleeping_stack_pointer(pid_t tid)
{
    return syscall_stack_pointer(tid, false);
}

/* Where a libleak thread's stack is: it sleeps nearly all the time (the dumper in sem_wait),
   so wait a little for it to enter a system call if it is running. */
static uintptr_t own_thread_stack_pointer(pid_t tid)
{
    for (int round = 0; round < 500; round++) {
        uintptr_t sp = syscall_stack_pointer(tid, true);
        if (sp)
            return sp;
        struct timespec pause = {0, 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return 0;
}

static bool task_exists(pid_t tid)
{
    char path[64];
    task_path(path, sizeof path, tid, "stat");
    char state[256];
    if (!read_small(path, state, sizeof state))
        return false;
    const char *paren = strrchr(state, ')');
    return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

static struct thread_slot *slot_of(pid_t tid)
{
    size_t count = atomic_load(&slot_count);
    for (size_t i = 0; i < count; i++)
        if (slots[i].tid == tid)
            return &slots[i];
    return NULL;
}

/* Signals every thread not yet seen; returns how many new ones were found. */
static int stop_new_threads(pid_t self)
{
    int fd = libleak_open_high("/proc/self/task", O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return 0;
    int found = 0;
    char buffer[4096];
    long n;
    while ((n = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0) {
        for (long offset = 0; offset < n;) {
            struct dirent64 *entry = (struct dirent64 *)(buffer + offset);
            offset += entry->d_reclen;
            if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
                continue;
            pid_t tid = 0;
            for (const char *d = entry->d_name; *d; d++)
                tid = tid * 10 + (*d - '0');
            if (tid == self || slot_of(tid))
                continue;
            if (is_own_thread(tid)) {
                bool known = false;
                for (size_t k = 0; k < own_thread_count; k++)
                    known |= own_threads[k] == tid;
                if (!known && own_thread_count < MAX_OWN_THREADS)
                    own_threads[own_thread_count++] = tid;
                continue;
            }
            size_t index = atomic_load(&slot_count);
            if (index >= MAX_THREADS)
                continue;
            struct thread_slot *slot = &slots[index];
            atomic_store(&slot->tid, tid);
            found++;
            if (blocks_stop_signal(tid) && (slot->sp = sleeping_stack_pointer(tid)) != 0) {
                atomic_store(&slot->state, SLOT_SLEEPING);
                atomic_store(&slot_count, index + 1);
                continue;
            }
            atomic_store(&slot->state, SLOT_SIGNALLED);
            atomic_store(&slot_count, index + 1); /* published before the signal can arrive */
            if (syscall(SYS_tgkill, getpid(), tid, LIBLEAK_STOP_SIGNAL) != 0)
                atomic_store(&slot->state, SLOT_GONE);
        }
    }
    close(fd);
    return found;
}

static void sleep_a_little(void)
{
    struct timespec pause = {0, 200 * 1000};
    nanosleep(&pause, NULL);
}

static int64_t monotonic_nanos(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* A thread that has kept the stop signal blocked this long while running is not waited for:
   glibc blocks signals only for a few instructions (thread start and exit), while a thread
   that blocks them to compute may never take the signal before the program ends. */
#define BLOCKED_GIVE_UP_NANOS (200 * 1000 * 1000)

/* Waits until every signalled thread has stopped (or gone); gives up on one after ~5 s, or
   after BLOCKED_GIVE_UP_NANOS for one that keeps the signal blocked. */
static void wait_for_stops(void)
{
    for (int round = 0; round < 25000; round++) {
        bool waiting = false;
        size_t count = atomic_load(&slot_count);
        for (size_t i = 0; i < count; i++) {
            struct thread_slot *slot = &slots[i];
            if (atomic_load(&slot->state) != SLOT_SIGNALLED || slot->given_up)
                continue;
            if (round % 64 == 63) {
                if (!task_exists(slot->tid)) {
                    int expected = SLOT_SIGNALLED;
                    atomic_compare_exchange_strong(&slot->state, &expected, SLOT_GONE);
                    continue;
                }
                if (!blocks_stop_signal(slot->tid)) {
                    slot->blocked_since = 0;
                } else if (!slot->blocked_since) {
                    slot->blocked_since = monotonic_nanos();
                } else if (monotonic_nanos() - slot->blocked_since >= BLOCKED_GIVE_UP_NANOS) {
                    slot->given_up = true;
                    continue;
                }
            }
            waiting = true;
        }
        if (!waiting)
            return;
        sleep_a_little();
    }
}

struct check_context {
    struct libleak_reach_result *result;
    uintptr_t scan_from;
    uintptr_t own_code; /* an address inside libleak.so: its data is not a root */
    struct memory_map map;
    struct roots roots;
    struct libleak_reach_region own[8]; /* what the check itself mapped */
    size_t own_count;
    bool done;
};

static void note_own(struct check_context *check, const void *address, size_t bytes)
{
    if (address && check->own_count < 8)
        check->own[check->own_count++] =
                (struct libleak_reach_region){(uintptr_t)address, (uintptr_t)address + bytes, false};
}

struct tls_module {
    intptr_t offset; /* of the module's static TLS block from the thread pointer */
    uint64_t size;
};

#define MAX_TLS_MODULES 256

#define MAX_MODULE_RANGES 4096

struct module_walk {
    struct check_context *check;
    uintptr_t tp;
    struct tls_module tls[MAX_TLS_MODULES];
    size_t tls_count;
    struct libleak_reach_region modules[MAX_MODULE_RANGES]; /* every PT_LOAD, page-rounded */
    size_t module_count;
};

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

static bool inside_live_block(const struct libleak_reach_result *result, uintptr_t address)
{
    /* unsorted at this point: a linear pass, once per TLS module */
    for (size_t i = 0; i < result->count; i++)
        if (address - result->blocks[i].address < result->blocks[i].size)
            return true;
    return false;
}

static int visit_module(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct module_walk *walk = data;
    struct check_context *check = walk->check;
    bool own = module_contains(info, check->own_code);
    const char *base = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
    bool libc = base && strlen(base) >= 8 && memcmp(base, "/libc.so", 8) == 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && walk->module_count < MAX_MODULE_RANGES) {
            uintptr_t start = info->dlpi_addr + ph->p_vaddr;
            walk->modules[walk->module_count++] = (struct libleak_reach_region){
                    start & ~(uintptr_t)4095, (start + ph->p_memsz + 4095) & ~(uintptr_t)4095, false};
        }
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W) && !own) {
            uintptr_t start = info->dlpi_addr + ph->p_vaddr;
            add_root_of(&check->roots, start, start + ph->p_memsz, libc);
        }
        /* Static TLS lies at the same offset from every thread's pointer; a dlopen'ed module's
           block is malloc'ed by the loader (dynamic TLS) and is reached through the DTV. */
        if (ph->p_type == PT_TLS && info->dlpi_tls_data && !own && walk->tls_count < MAX_TLS_MODULES &&
            !inside_live_block(check->result, (uintptr_t)info->dlpi_tls_data))
            walk->tls[walk->tls_count++] =
                    (struct tls_module){(intptr_t)((uintptr_t)info->dlpi_tls_data - walk->tp), ph->p_memsz};
    }
    return 0;
}

/* One thread's roots: its stack from sp to the end of the mapping holding it (for threads
   started by glibc that mapping ends with the thread descriptor and static TLS), its thread
   descriptor and static TLS blocks, and its DTV. */
static void add_thread_roots(struct check_context *check, const struct module_walk *walk, uintptr_t sp,
                             uintptr_t tp)
{
    const struct mapping *m = mapping_of(&check->map, sp);
    if (m)
        add_root(&check->roots, sp, m->end);
    if (!tp)
        return;
#if defined(__x86_64__)
    add_root(&check->roots, tp, tp + thread_descriptor_size);
#else
    add_root(&check->roots, tp - thread_descriptor_size, tp + 16);
#endif
    for (size_t i = 0; i < walk->tls_count; i++)
        add_root(&check->roots, tp + (uintptr_t)walk->tls[i].offset,
                 tp + (uintptr_t)walk->tls[i].offset + walk->tls[i].size);
    const struct mapping *tcb = mapping_of(&check->map, tp + DTV_OFFSET);
    if (!tcb || !tcb->readable)
        return;
    uintptr_t dtv = *(const uintptr_t *)(tp + DTV_OFFSET);
    if (check->roots.forced_count < check->roots.forced_capacity)
        check->roots.forced[check->roots.forced_count++] = dtv;
    /* The DTV itself as a root too: the main thread's first one comes from the loader's own
       allocator, not from malloc, and holds the pointers to its dynamic TLS blocks. glibc's
       entries are 16 bytes; the one before dtv holds the number of entries. */
    const struct mapping *array = mapping_of(&check->map, dtv - 16);
    if (array && array->readable && dtv - 16 >= array->start) {
        uintptr_t entries = *(const uintptr_t *)(dtv - 16);
        if (entries < 65536)
            add_root(&check->roots, dtv - 16, dtv + 16 * (entries + 1));
    }
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
static bool is_arena_heap(const struct mapping *m, uintptr_t at, uintptr_t *size)
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

/* memcheck scans every mapping the program can write, not only modules and stacks: a pointer
   kept in memory the program mapped itself (Python's object arenas, a custom pool) keeps its
   block reachable. We do the same for anonymous mappings, with what is not the program's data
   cut out (the kernel merges neighbouring anonymous mappings, so a mapping may hold several
   kinds): malloc's own memory (the brk heap is named [heap]; a thread arena's heaps are
   64 MiB aligned and start with their size; a large block is its own mapping), libleak's
   memory, the modules' segments (scanned above, libc's with a rule of its own), and whole
   stacks of running threads (scanned from their stack pointers above: below is stale) and of
   libleak's threads. Cached stacks of exited threads are scanned whole, as memcheck does. */
static void add_anonymous_roots(struct check_context *check, const struct module_walk *walk,
                                const uintptr_t *stack_pointers, size_t stack_pointer_count)
{
    static struct cuts cuts;
    const struct libleak_reach_result *result = check->result;
    for (size_t i = 0; i < check->map.count; i++) {
        const struct mapping *m = &check->map.mappings[i];
        if (!m->readable || !m->writable || !m->anonymous)
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
        for (size_t k = 0; k < check->own_count; k++)
            if (check->own[k].start < m->end && m->start < check->own[k].end)
                cut(&cuts, check->own[k].start, check->own[k].end);
        if (!libleak_memory_for_each_own(m->start, m->end, cut_own, &cuts))
            continue;
        uintptr_t heap_max = 64u << 20;
        for (uintptr_t at = (m->start + heap_max - 1) & ~(heap_max - 1); at >= m->start && at < m->end;
             at += heap_max) {
            uintptr_t size;
            if (is_arena_heap(m, at, &size))
                cut(&cuts, at, at + size);
        }
        /* blocks in what is left: large blocks (mmapped chunks, 16 bytes of header) */
        size_t lo = 0, hi = result->count;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (result->blocks[mid].address < m->start)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t b = lo; b < result->count && result->blocks[b].address < m->end; b++) {
            uintptr_t address = result->blocks[b].address;
            bool in_heap = false;
            for (size_t k = 0; k < cuts.count && !in_heap; k++)
                in_heap = address >= cuts.ranges[k].start && address < cuts.ranges[k].end;
            if (!in_heap)
                cut(&cuts, (address - 16) & ~(uintptr_t)4095,
                    (address + result->blocks[b].size + 4095) & ~(uintptr_t)4095);
        }
        if (cuts.overflow)
            continue; /* too many pieces to tell: not scanned, as LeakSanitizer never does */
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
                add_root(&check->roots, position, gap_end);
            if (k < cuts.count && cuts.ranges[k].end > position)
                position = cuts.ranges[k].end;
        }
    }
}

static void classify_stopped_world(struct check_context *check)
{
    struct libleak_reach_result *result = check->result;
    result->capacity = libleak_live_count() + 4096;
    size_t bytes = round_pages(result->capacity * sizeof *result->blocks);
    result->blocks = map_zeroed(bytes);
    if (!result->blocks)
        return;
    note_own(check, result->blocks, bytes);
    libleak_live_for_each(collect_block, result);
    if (!read_memory_map(&check->map))
        return;
    note_own(check, check->map.mappings, check->map.bytes);
    note_own(check, slots, round_pages(MAX_THREADS * sizeof *slots));
    /* sorted now for the anonymous roots (blocks inside a mapping); the classification then
       finds them sorted */
    size_t scratch_bytes = round_pages(result->count * sizeof *result->blocks + 1);
    struct libleak_reach_block *scratch = map_zeroed(scratch_bytes);
    if (!scratch)
        return;
    sort_blocks(result->blocks, result->count, scratch);
    munmap(scratch, scratch_bytes);
    struct roots *roots = &check->roots;
    roots->map = &check->map;
    roots->capacity = 1 << 16;
    roots->bytes = round_pages(roots->capacity * sizeof *roots->regions);
    roots->regions = map_zeroed(roots->bytes);
    roots->forced_capacity = MAX_THREADS + 1;
    roots->forced_bytes = round_pages(roots->forced_capacity * sizeof(uintptr_t));
    roots->forced = map_zeroed(roots->forced_bytes);
    note_own(check, roots->regions, roots->bytes);
    note_own(check, roots->forced, roots->forced_bytes);
    static struct module_walk walk; /* large: not on the (maybe small) stack */
    memset(&walk, 0, sizeof walk);
    walk.check = check;
    walk.tp = thread_pointer();
    if (!roots->regions || !roots->forced)
        return;
    /* The loader lock is recursive: we already hold it (modules.h: in a fork child that may
       have inherited it held, the list is read without it). */
    libleak_modules_iterate(visit_module, &walk);

    add_thread_roots(check, &walk, check->scan_from, walk.tp);
    static uintptr_t stack_pointers[MAX_THREADS + MAX_OWN_THREADS + 1];
    size_t stack_pointer_count = 0;
    stack_pointers[stack_pointer_count++] = check->scan_from;
    bool own_stacks_known = true;
    for (size_t k = 0; k < own_thread_count; k++) {
        uintptr_t sp = own_thread_stack_pointer(own_threads[k]);
        if (sp)
            stack_pointers[stack_pointer_count++] = sp;
        else
            own_stacks_known = false;
    }
    /* A libleak thread caught running has a stack we cannot tell from the program's memory:
       then no anonymous mapping is scanned (as LeakSanitizer never does). */
    bool scan_anonymous = own_stacks_known && allocator_is_glibc;
    size_t count = atomic_load(&slot_count);
    for (size_t i = 0; i < count; i++) {
        struct thread_slot *slot = &slots[i];
        switch (atomic_load(&slot->state)) {
        case SLOT_STOPPED:
            add_thread_roots(check, &walk, slot->sp, slot->tp);
            stack_pointers[stack_pointer_count++] = slot->sp;
            result->threads_stopped++;
            break;
        case SLOT_SLEEPING:
            add_thread_roots(check, &walk, slot->sp, 0);
            stack_pointers[stack_pointer_count++] = slot->sp;
            result->threads_sleeping++;
            break;
        case SLOT_SIGNALLED: {
            /* did not stop in time: scan what the kernel tells if it sleeps in a system call */
            uintptr_t sp = sleeping_stack_pointer(slot->tid);
            if (sp) {
                add_thread_roots(check, &walk, sp, 0);
                stack_pointers[stack_pointer_count++] = sp;
                result->threads_sleeping++;
            } else if (scan_anonymous && slot->tid != getpid()) {
                /* Its stack is an anonymous mapping with no known stack pointer in it: the
                   anonymous roots below take it whole (stale frames too). */
                libleak_log("leak check: thread %d did not stop%s; its stack is scanned whole, its registers "
                            "are not",
                            (int)slot->tid, slot->given_up ? " (it blocks signals)" : "");
            } else {
                result->threads_unscanned++;
                libleak_log("leak check: thread %d did not stop%s; its stack is not scanned", (int)slot->tid,
                            slot->given_up ? " (it blocks signals)" : "");
            }
            break;
        }
        default: break;
        }
    }
    if (scan_anonymous)
        add_anonymous_roots(check, &walk, stack_pointers, stack_pointer_count);
    result->root_bytes = roots->total;
    libleak_reach_classify(result->blocks, result->count, roots->regions, roots->count, roots->forced,
                           roots->forced_count);
}

static int stop_and_check(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)info;
    (void)size;
    struct check_context *check = data;
    if (check->done)
        return 1;
    check->done = true;

    size_t slots_bytes = round_pages(MAX_THREADS * sizeof *slots);
    slots = map_zeroed(slots_bytes);
    if (!slots)
        return 1;
    atomic_store(&slot_count, 0);
    atomic_store(&released, 0);
    own_thread_count = 0;
    struct sigaction action, previous;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_stop_signal;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&action.sa_mask); /* nothing of the program runs on a stopped thread */
    atomic_store(&stopping, true);
    sigaction(LIBLEAK_STOP_SIGNAL, &action, &previous);

    pid_t self = (pid_t)syscall(SYS_gettid);
    /* Threads may start threads until they are stopped: list again until nothing is new. */
    for (int round = 0; round < 64; round++) {
        if (stop_new_threads(self) == 0)
            break;
        wait_for_stops();
    }

    classify_stopped_world(check);

    /* Resume, and wait until every handler has left before putting the program's disposition
       back; one that never ran keeps our handler (which then returns at once). */
    atomic_store(&released, 1);
    futex(&released, FUTEX_WAKE_PRIVATE, MAX_THREADS);
    bool all_left = true;
    size_t count = atomic_load(&slot_count);
    for (size_t i = 0; i < count; i++) {
        int state;
        for (int round = 0; round < 5000 && (state = atomic_load(&slots[i].state)) == SLOT_STOPPED; round++)
            sleep_a_little();
        state = atomic_load(&slots[i].state);
        if (state == SLOT_STOPPED || (state == SLOT_SIGNALLED && task_exists(slots[i].tid)))
            all_left = false;
    }
    if (all_left) {
        sigaction(LIBLEAK_STOP_SIGNAL, &previous, NULL);
        atomic_store(&stopping, false);
        munmap(slots, slots_bytes);
        slots = NULL;
    }
    return 1;
}

bool libleak_reach_check(struct libleak_reach_result *result, uintptr_t scan_from)
{
    memset(result, 0, sizeof *result);
    struct check_context check = {
            .result = result, .scan_from = scan_from, .own_code = (uintptr_t)&stop_and_check};
    libleak_modules_iterate(stop_and_check, &check);
    if (check.map.mappings)
        munmap(check.map.mappings, check.map.bytes);
    if (check.roots.regions)
        munmap(check.roots.regions, check.roots.bytes);
    if (check.roots.forced)
        munmap(check.roots.forced, check.roots.forced_bytes);
    return result->blocks != NULL;
}

void libleak_reach_release(struct libleak_reach_result *result)
{
    if (result->blocks)
        munmap(result->blocks, round_pages(result->capacity * sizeof *result->blocks));
    result->blocks = NULL;
    result->count = 0;
}
