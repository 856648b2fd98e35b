/*
 * Unit test of memory_limits.c: the cgroup limit is found from /proc/self/cgroup in a fake
 * tree, v2 and v1, at our level and at a parent's; "max" and v1's huge value mean no limit;
 * the working set leaves out inactive file pages; the tightest limit wins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "os/memory_limits.h"

static char root[256];

static void put(const char *relative, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, relative);
    for (char *slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0755);
        *slash = '/';
    }
    FILE *file = fopen(path, "w");
    fputs(text, file);
    fclose(file);
}

static void init(void)
{
    char proc[300], sys[300];
    snprintf(proc, sizeof proc, "%s/proc_cgroup", root);
    snprintf(sys, sizeof sys, "%s/sys", root);
    libleak_limits_init(proc, sys);
}

int main(void)
{
    struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_AS, &unlimited); /* only the fake cgroup's limits count here */
    setrlimit(RLIMIT_DATA, &unlimited);
    snprintf(root, sizeof root, "/tmp/libleak_limits.%d", (int)getpid());
    mkdir(root, 0755);

    /* v2: our level has no limit ("max"), the parent has 1000 MB with 950 MB used, 100 MB of
       which is inactive page cache: the working set is 850 MB. */
    put("proc_cgroup", "0::/parent/child\n");
    put("sys/parent/memory.max", "1000000000\n");
    put("sys/parent/memory.current", "950000000\n");
    put("sys/parent/memory.stat",
        "anon 800000000\nfile 150000000\ninactive_file 100000000\nactive_file 50\n");
    put("sys/parent/child/memory.max", "max\n");
    put("sys/parent/child/memory.current", "10\n");
    init();
    struct libleak_limit limit;
    CHECK(libleak_limits_any(), "the parent's memory.max was not found");
    CHECK(libleak_limits_tightest(&limit), "no tightest limit");
    CHECK(limit.limit == 1000000000 && limit.usage == 850000000, "v2 parent: limit %llu usage %llu",
          (unsigned long long)limit.limit, (unsigned long long)limit.usage);
    CHECK(strcmp(limit.name, "cgroup memory.max") == 0, "name '%s'", limit.name);
    char name[48];
    uint64_t headroom = libleak_limits_headroom(name, sizeof name);
    CHECK(headroom == 150000000, "v2 headroom %llu", (unsigned long long)headroom);

    /* A tighter child wins by fraction: 90 of 100 MB used. */
    put("sys/parent/child/memory.max", "100000000\n");
    put("sys/parent/child/memory.current", "90000000\n");
    put("sys/parent/child/memory.stat", "inactive_file 0\n");
    init();
    CHECK(libleak_limits_tightest(&limit) && limit.limit == 100000000 && limit.usage == 90000000,
          "v2 child: limit %llu usage %llu", (unsigned long long)limit.limit,
          (unsigned long long)limit.usage);

    /* v1: memory among other controllers; the huge value means no limit. */
    put("proc_cgroup", "5:cpu,cpuacct:/\n4:memory:/job\n0::/\n");
    put("sys/memory/job/memory.limit_in_bytes", "200000000\n");
    put("sys/memory/job/memory.usage_in_bytes", "50000000\n");
    put("sys/memory/memory.limit_in_bytes", "9223372036854771712\n");
    put("sys/memory/memory.usage_in_bytes", "5\n");
    init();
    CHECK(libleak_limits_tightest(&limit) && limit.limit == 200000000 && limit.usage == 50000000,
          "v1: limit %llu usage %llu", (unsigned long long)limit.limit, (unsigned long long)limit.usage);
    CHECK(strcmp(limit.name, "cgroup memory.limit_in_bytes") == 0, "v1 name '%s'", limit.name);

    /* Nothing limited: no limit at all. */
    put("sys/memory/job/memory.limit_in_bytes", "9223372036854771712\n");
    init();
    CHECK(!libleak_limits_any(), "an unlimited v1 cgroup counted as a limit");
    CHECK(libleak_limits_headroom(NULL, 0) == UINT64_MAX, "headroom without limits");

    /* An rlimit counts too (this process's own statm). */
    struct rlimit data = {1ULL << 40, 1ULL << 40};
    setrlimit(RLIMIT_DATA, &data);
    CHECK(libleak_limits_tightest(&limit) && strstr(limit.name, "RLIMIT_DATA") && limit.usage > 0,
          "RLIMIT_DATA: name '%s' usage %llu", limit.name, (unsigned long long)limit.usage);

    char command[300];
    snprintf(command, sizeof command, "rm -rf %s", root);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", root);
    return check_result("test_memory_limits");
}
