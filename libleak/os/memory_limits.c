/*
 * memory_limits — reading the memory limits of the process and what counts against each (memory_limits.h).
 *
 * - RLIMIT_AS is checked by the kernel against the whole address space (statm's first field);
 *   RLIMIT_DATA against private writable mappings, heap included (statm's data field, which
 *   also holds the stack: a little early, never late).
 * - A cgroup's limit is enforced against its usage, which includes the page cache; the kernel
 *   reclaims inactive file pages before it kills, so, as container runtimes do, we count the
 *   working set: usage minus inactive_file (from memory.stat, read only when usage is past half
 *   the limit). Every level of the hierarchy up from ours with a limit is watched (a parent's
 *   limit binds the children too), at most MAX_LEVELS of them.
 *
 * The cgroup's place is found once at start; the rlimits are read at every call (a program
 * may lower them). Only open/read/close: no stdio, no descriptor kept.
 */
#include "os/memory_limits.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "os/proc_files.h"

#define MAX_LEVELS 8
/* cgroup v1 writes "no limit" as the largest page-aligned signed 64-bit value. */
#define UNLIMITED_V1 (1ULL << 62)

struct cgroup_level {
    char directory[PATH_MAX];
    bool v2;
};

static struct cgroup_level levels[MAX_LEVELS];
static int level_count;

/* A number from a file holding one; false for "max" or anything else. */
static bool read_number(const char *directory, const char *file, uint64_t *value)
{
    char path[PATH_MAX + 64], text[64];
    snprintf(path, sizeof path, "%s/%s", directory, file);
    if (libleak_read_small_file(path, text, sizeof text) <= 0 || text[0] < '0' || text[0] > '9')
        return false;
    *value = strtoull(text, NULL, 10);
    return true;
}

static bool level_limit(const struct cgroup_level *level, uint64_t *limit)
{
    if (!read_number(level->directory, level->v2 ? "memory.max" : "memory.limit_in_bytes", limit))
        return false;
    return level->v2 || *limit < UNLIMITED_V1;
}

/* The inactive file pages of memory.stat ("inactive_file" in v2, "total_inactive_file" in v1). */
static uint64_t inactive_file(const struct cgroup_level *level)
{
    char path[PATH_MAX + 64], text[8192];
    snprintf(path, sizeof path, "%s/memory.stat", level->directory);
    if (libleak_read_small_file(path, text, sizeof text) <= 0)
        return 0;
    const char *key = level->v2 ? "\ninactive_file " : "\ntotal_inactive_file ";
    char *found = strstr(text, key);
    if (!found && strncmp(text, key + 1, strlen(key + 1)) == 0)
        found = text - 1;
    return found ? strtoull(found + strlen(key), NULL, 10) : 0;
}

/* Remembers DIRECTORY and each parent up to ROOT that has a limit. */
static void add_levels(const char *root, const char *relative, bool v2)
{
    char directory[PATH_MAX];
    if (snprintf(directory, sizeof directory, "%s%s", root, relative) >= (int)sizeof directory)
        return;
    if (access(directory, F_OK) != 0) /* our path is not visible here (a container's own mount) */
        snprintf(directory, sizeof directory, "%s", root);
    size_t root_length = strlen(root);
    for (;;) {
        size_t length = strlen(directory);
        while (length > root_length && directory[length - 1] == '/')
            directory[--length] = '\0';
        struct cgroup_level level = {.v2 = v2};
        snprintf(level.directory, sizeof level.directory, "%s", directory);
        uint64_t limit;
        if (level_count < MAX_LEVELS && level_limit(&level, &limit))
            levels[level_count++] = level;
        char *slash = strrchr(directory, '/');
        if (length <= root_length || !slash || (size_t)(slash - directory) < root_length)
            break;
        *slash = '\0';
    }
}

void libleak_limits_init(const char *proc_cgroup, const char *sysfs_root)
{
    level_count = 0;
    char text[4096];
    if (libleak_read_small_file(proc_cgroup, text, sizeof text) <= 0)
        return;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        /* "hierarchy-id:controller,list:path"; v2 is "0::path". */
        char *first = strchr(line, ':');
        char *second = first ? strchr(first + 1, ':') : NULL;
        if (!second)
            continue;
        *second = '\0';
        const char *controllers = first + 1, *path = second + 1;
        char root[PATH_MAX];
        if (strcmp(line, "0:") == 0 && controllers[0] == '\0') {
            add_levels(sysfs_root, path, true);
            snprintf(root, sizeof root, "%s/unified", sysfs_root); /* hybrid mode */
            if (access(root, F_OK) == 0)
                add_levels(root, path, true);
            continue;
        }
        char list[256];
        snprintf(list, sizeof list, ",%s,", controllers);
        if (!strstr(list, ",memory,"))
            continue;
        snprintf(root, sizeof root, "%s/memory", sysfs_root);
        add_levels(root, path, false);
    }
}

/* Calls visit for every limit that applies now; stops when visit returns false. */
static int for_each_limit(bool (*visit)(const struct libleak_limit *limit, void *context), void *context)
{
    int count = 0;
    struct rlimit address_space, data;
    bool has_as = getrlimit(RLIMIT_AS, &address_space) == 0 && address_space.rlim_cur != RLIM_INFINITY;
    bool has_data = getrlimit(RLIMIT_DATA, &data) == 0 && data.rlim_cur != RLIM_INFINITY;
    struct libleak_statm usage;
    if ((has_as || has_data) && libleak_statm_read(&usage)) {
        struct libleak_limit limit;
        if (has_as) {
            limit = (struct libleak_limit){"RLIMIT_AS (ulimit -v)", address_space.rlim_cur, usage.size};
            count++;
            if (!visit(&limit, context))
                return count;
        }
        if (has_data) {
            limit = (struct libleak_limit){"RLIMIT_DATA (ulimit -d)", data.rlim_cur, usage.data};
            count++;
            if (!visit(&limit, context))
                return count;
        }
    }
    for (int i = 0; i < level_count; i++) {
        struct libleak_limit limit = {"", 0, 0};
        if (!level_limit(&levels[i], &limit.limit) ||
            !read_number(levels[i].directory, levels[i].v2 ? "memory.current" : "memory.usage_in_bytes",
                         &limit.usage))
            continue;
        if (limit.usage > limit.limit / 2) {
            uint64_t reclaimable = inactive_file(&levels[i]);
            limit.usage = limit.usage > reclaimable ? limit.usage - reclaimable : 0;
        }
        snprintf(limit.name, sizeof limit.name, "cgroup %s",
                 levels[i].v2 ? "memory.max" : "memory.limit_in_bytes");
        count++;
        if (!visit(&limit, context))
            return count;
    }
    return count;
}

static bool ignore(const struct libleak_limit *limit, void *context)
{
    (void)limit;
    (void)context;
    return false;
}

bool libleak_limits_any(void)
{
    return for_each_limit(ignore, NULL) > 0;
}

static bool keep_tightest(const struct libleak_limit *limit, void *context)
{
    struct libleak_limit *tightest = context;
    /* usage/limit compared without division: a*d > c*b, in 128 bits */
    if (limit->limit == 0)
        return true;
    if (tightest->limit == 0 ||
        (unsigned __int128)limit->usage * tightest->limit > (unsigned __int128)tightest->usage * limit->limit)
        *tightest = *limit;
    return true;
}

bool libleak_limits_tightest(struct libleak_limit *tightest)
{
    memset(tightest, 0, sizeof *tightest);
    for_each_limit(keep_tightest, tightest);
    return tightest->limit != 0;
}

struct headroom {
    uint64_t bytes;
    char *name;
    unsigned name_size;
};

static bool keep_least_headroom(const struct libleak_limit *limit, void *context)
{
    struct headroom *headroom = context;
    uint64_t left = limit->limit > limit->usage ? limit->limit - limit->usage : 0;
    if (left < headroom->bytes) {
        headroom->bytes = left;
        if (headroom->name)
            snprintf(headroom->name, headroom->name_size, "%s", limit->name);
    }
    return true;
}

uint64_t libleak_limits_headroom(char *name, unsigned name_size)
{
    struct headroom headroom = {UINT64_MAX, name, name_size};
    for_each_limit(keep_least_headroom, &headroom);
    return headroom.bytes;
}
