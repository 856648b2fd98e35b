/*
 * process_slots — see process_slots.h.
 *
 * The kernel counts RLIMIT_NPROC per real user: every task (a thread is one) of that user, in
 * every process, and refuses a clone that would pass the limit unless the user is root of the
 * initial user namespace or holds CAP_SYS_RESOURCE or CAP_SYS_ADMIN there. There is no file
 * with the count, so it is found in two steps: /proc/loadavg's fourth field is the number of
 * tasks in the whole system, an upper bound of the user's, one small read; only when that
 * bound leaves too little room are the user's tasks counted, from /proc/PID/status (Uid: and
 * Threads:) of every process /proc shows. A limit set on purpose is usually small, and then
 * the scan is what answers; the default limits (tens of thousands) are settled by the bound.
 * A process of the user in another pid namespace is not seen by the scan: it may undercount.
 *
 * Raw, as proc_tasks.c: getdents64, one read per file, descriptors through descriptors.h.
 */
#include "os/process_slots.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "os/descriptors.h"
#include "os/proc_files.h"

#define CAP_SYS_ADMIN_BIT    21
#define CAP_SYS_RESOURCE_BIT 24

bool libleak_loadavg_tasks(const char *loadavg, uint64_t *tasks)
{
    const char *slash = strchr(loadavg, '/');
    if (!slash || slash[1] < '0' || slash[1] > '9')
        return false;
    *tasks = strtoull(slash + 1, NULL, 10);
    return true;
}

/* The number after "\nKEY" in a status file, as text; NULL when absent. */
static const char *status_field(const char *status, const char *key)
{
    size_t length = strlen(key);
    for (const char *line = status; line; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp(line, key, length) == 0)
            return line + length;
    }
    return NULL;
}

bool libleak_status_uid_threads(const char *status, unsigned *real_uid, uint64_t *threads)
{
    const char *uid = status_field(status, "Uid:");
    const char *count = status_field(status, "Threads:");
    if (!uid || !count)
        return false;
    *real_uid = (unsigned)strtoul(uid, NULL, 10); /* the first of real, effective, saved, fs */
    *threads = strtoull(count, NULL, 10);
    return true;
}

/* The initial user namespace maps every id to itself: "0 0 4294967295". */
static bool in_initial_user_namespace(void)
{
    char map[256];
    if (libleak_read_small_file("/proc/self/uid_map", map, sizeof map) <= 0)
        return true; /* no user namespaces in this kernel */
    unsigned long inside, outside, count;
    char *end = map;
    inside = strtoul(end, &end, 10);
    outside = strtoul(end, &end, 10);
    count = strtoul(end, &end, 10);
    return inside == 0 && outside == 0 && count == 4294967295UL;
}

/* Root of the initial user namespace, or a capability that lifts the limit there. */
static bool limit_not_enforced(void)
{
    if (!in_initial_user_namespace())
        return false;
    if (getuid() == 0)
        return true;
    char status[4096];
    if (libleak_read_small_file("/proc/self/status", status, sizeof status) <= 0)
        return false;
    const char *effective = status_field(status, "CapEff:");
    if (!effective)
        return false;
    unsigned long long capabilities = strtoull(effective, NULL, 16);
    return capabilities & (1ULL << CAP_SYS_RESOURCE_BIT | 1ULL << CAP_SYS_ADMIN_BIT);
}

/* The real user's tasks in the processes /proc shows. */
static uint64_t count_user_tasks(unsigned uid)
{
    int fd = libleak_open_high("/proc", O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return 0;
    uint64_t tasks = 0;
    char buffer[4096];
    long n;
    while ((n = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0) {
        for (long offset = 0; offset < n;) {
            struct dirent64 *entry = (struct dirent64 *)(buffer + offset);
            offset += entry->d_reclen;
            if (entry->d_name[0] < '1' || entry->d_name[0] > '9' || strlen(entry->d_name) > 10)
                continue;
            char path[32] = "/proc/", status[4096];
            strcat(path, entry->d_name);
            strcat(path, "/status");
            unsigned owner;
            uint64_t threads;
            if (libleak_read_small_file(path, status, sizeof status) > 0 &&
                libleak_status_uid_threads(status, &owner, &threads) && owner == uid)
                tasks += threads;
        }
    }
    close(fd);
    return tasks;
}

uint64_t libleak_process_slots_free(uint64_t wanted, struct libleak_process_slots *slots)
{
    struct rlimit nproc;
    *slots = (struct libleak_process_slots){UINT64_MAX, 0, false};
    if (getrlimit(RLIMIT_NPROC, &nproc) != 0 || nproc.rlim_cur == RLIM_INFINITY)
        return UINT64_MAX;
    slots->limit = nproc.rlim_cur;
    char loadavg[128];
    if (libleak_read_small_file("/proc/loadavg", loadavg, sizeof loadavg) > 0 &&
        libleak_loadavg_tasks(loadavg, &slots->used) && slots->used < slots->limit &&
        slots->limit - slots->used >= wanted)
        return slots->limit - slots->used;
    if (limit_not_enforced()) {
        slots->limit = UINT64_MAX;
        return UINT64_MAX;
    }
    slots->used = count_user_tasks((unsigned)getuid());
    slots->counted = true;
    return slots->used < slots->limit ? slots->limit - slots->used : 0;
}
