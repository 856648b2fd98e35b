/*
 * Unit test of os/process_slots.c: the parsers fed strings (/proc/loadavg's task count, a
 * status file's real uid and thread count), then the answer for this very process.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check.h"
#include "os/process_slots.h"

int main(void)
{
    uint64_t tasks = 0;
    CHECK(libleak_loadavg_tasks("0.00 0.01 0.05 2/345 6789\n", &tasks) && tasks == 345, "loadavg: %llu",
          (unsigned long long)tasks);
    CHECK(!libleak_loadavg_tasks("0.00 0.01 0.05\n", &tasks), "loadavg without a task field");

    unsigned uid = 0;
    uint64_t threads = 0;
    const char *status = "Name:\tcat\nUmask:\t0022\nState:\tR (running)\nUid:\t1000\t0\t0\t0\n"
                         "Gid:\t1000\t1000\t1000\t1000\nThreads:\t7\nSigQ:\t0/1\n";
    CHECK(libleak_status_uid_threads(status, &uid, &threads) && uid == 1000 && threads == 7,
          "status: uid %u threads %llu", uid, (unsigned long long)threads);
    CHECK(!libleak_status_uid_threads("Name:\tcat\nUid:\t1000\t0\t0\t0\n", &uid, &threads), "status without Threads:");
    CHECK(!libleak_status_uid_threads("Name:\tcat\nNotUid:\t5\nThreads:\t1\n", &uid, &threads),
          "a key is matched at a line's start only");

    /* This process: no limit binds (infinite, or root), or the answer counts at least us. */
    struct libleak_process_slots slots;
    uint64_t room = libleak_process_slots_free(1, &slots);
    struct rlimit nproc;
    getrlimit(RLIMIT_NPROC, &nproc);
    if (nproc.rlim_cur == RLIM_INFINITY)
        CHECK(room == UINT64_MAX && slots.limit == UINT64_MAX, "no limit: room %llu", (unsigned long long)room);
    else
        CHECK(room >= 1 && (slots.limit == UINT64_MAX || slots.used >= 1), "limit %llu: room %llu, used %llu",
              (unsigned long long)slots.limit, (unsigned long long)room, (unsigned long long)slots.used);
    /* Asking for more room than the limit leaves forces the count (or finds the limit lifted). */
    if (nproc.rlim_cur != RLIM_INFINITY) {
        room = libleak_process_slots_free(UINT64_MAX, &slots);
        CHECK(slots.limit == UINT64_MAX ? getuid() == 0 || room == UINT64_MAX : slots.counted && slots.used >= 1,
              "counted: limit %llu used %llu", (unsigned long long)slots.limit, (unsigned long long)slots.used);
    }
    return check_result("test_process_slots");
}
