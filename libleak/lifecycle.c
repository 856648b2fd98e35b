/*
 * lifecycle — start, fork and exit.
 *
 * The constructor runs early (libleak.so is preloaded, so only its own dependencies start
 * before it), with the "inside" flag set so that nothing it allocates is tracked. Until it has
 * finished, the slow path only asks to be called again (track.c). The destructor writes the
 * exit profile; it runs after the program's own destructors and atexit handlers, because the
 * program was started after us.
 */
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "config.h"
#include "dump.h"
#include "live.h"
#include "log.h"
#include "real.h"
#include "stacks.h"
#include "thread.h"
#include "track.h"

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

static void start_unwinder_on_high_descriptors(void)
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

static void stay_passive(void)
{
    libleak_passive = true;
    libleak_config.rate = 0;
    atomic_store_explicit(&libleak_ready, true, memory_order_release);
}

__attribute__((constructor(101))) static void libleak_start(void)
{
    /* Resolve before entering: a parked countdown sends allocations straight to the real
	   functions (hooks.c), so they must be known first; dlsym's own calloc still finds this
	   thread's countdown negative and is served from the bootstrap buffer. */
    libleak_real_resolve();
    libleak_enter();
    libleak_log_init();
    if (getauxval(AT_SECURE)) { /* setuid/setgid: read no environment, write nothing */
        stay_passive();
        libleak_leave();
        return;
    }
    libleak_config_load();

    struct code_range own = {(uintptr_t)&libleak_start, 0, 0};
    dl_iterate_phdr(find_own_code, &own);
    libleak_stacks_set_own_code(own.start, own.end);

    if (libleak_config.rate != 0 && !libleak_stacks_init(libleak_config.max_stacks)) {
        libleak_log("cannot reserve the stack table within LIBLEAK_MAX_MEMORY=%llu; tracking is off",
                    (unsigned long long)libleak_config.max_memory);
        libleak_config.rate = 0;
    }
    if (libleak_config.rate == 1)
        libleak_live_filter_saturate();
    start_unwinder_on_high_descriptors();
    libleak_dump_init();
    pthread_atfork(libleak_dump_before_fork, libleak_dump_after_fork_in_parent,
                   libleak_dump_after_fork_in_child);
    atomic_store_explicit(&libleak_ready, true, memory_order_release);
    libleak_leave();
}

__attribute__((destructor)) static void libleak_stop(void)
{
    libleak_dump_at_exit();
}
