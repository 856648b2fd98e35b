/*
 * lifecycle — start, fork and exit.
 *
 * The constructor runs early (libleak.so is preloaded, so only its own dependencies start
 * before it), with the "inside" flag set so that nothing it allocates is tracked. Until it has
 * finished, the slow path only asks to be called again (track.c). The destructor writes the
 * exit profile; it runs after the program's own destructors and atexit handlers, because the
 * program was started after us.
 */
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/auxv.h>

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

static void stay_passive(void)
{
	libleak_passive = true;
	libleak_config.rate = 0;
	atomic_store_explicit(&libleak_ready, true, memory_order_release);
}

__attribute__((constructor(101))) static void libleak_start(void)
{
	libleak_enter();
	libleak_real_resolve();
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

	if (libleak_config.rate != 0 && !libleak_stacks_init(libleak_config.max_stacks, libleak_config.depth)) {
		libleak_log("cannot reserve the stack table within LIBLEAK_MAX_MEMORY=%llu; tracking is off",
			    (unsigned long long)libleak_config.max_memory);
		libleak_config.rate = 0;
	}
	libleak_live_filter_off = libleak_config.rate == 1;
	/* Per-thread caches: no lock of libunwind's shared by threads while unwinding. */
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
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
