/*
 * memory_limits — how close the process is to the memory limits that can kill it or make malloc fail:
 * RLIMIT_AS, RLIMIT_DATA and the memory limit of its cgroup (v2 memory.max, v1
 * memory.limit_in_bytes, the tightest level of the hierarchy), read without privileges.
 */
#ifndef LIBLEAK_MEMORY_LIMITS_H
#define LIBLEAK_MEMORY_LIMITS_H
#include <stdbool.h>
#include <stdint.h>

struct libleak_limit {
    char name[48];  /* "RLIMIT_AS", "RLIMIT_DATA", "cgroup memory.max", "cgroup memory.limit_in_bytes" */
    uint64_t limit; /* bytes */
    uint64_t usage; /* bytes counted against it now */
};

/* Finds the cgroup's limit files (once; again in a fork child). proc_cgroup is normally
   "/proc/self/cgroup" and sysfs_root "/sys/fs/cgroup": the unit test passes a fake tree. */
void libleak_limits_init(const char *proc_cgroup, const char *sysfs_root);

/* True when some limit applies (a finite rlimit, or a cgroup level with a limit). */
bool libleak_limits_any(void);

/* The limit with the highest usage fraction; false when none applies. */
bool libleak_limits_tightest(struct libleak_limit *tightest);

/* libdw answers running out of memory by exiting the program (or by an assert), so it is used
   only with this much room left under the tightest limit: by the profile writer, and by the
   watch when it warms the symbol cache ahead of a near-limit profile. A program that grows
   while libdw works could otherwise make a malloc of libdw's fail: seen as "Unexpected error."
   and SIGABRT when the warm-up needed only 32 MiB (lib_errno_rlimit at ulimit -v 120 MiB). */
#define LIBLEAK_SYMBOLIZE_HEADROOM (256ULL << 20)

/* Bytes left under the tightest limit by that measure (UINT64_MAX when none applies); name
   (may be NULL) gets the limit's name. */
uint64_t libleak_limits_headroom(char *name, unsigned name_size);

#endif
