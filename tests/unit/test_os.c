/*
 * Unit test of the os/ layer's pure parts, fed strings: a /proc/self/maps line (addresses,
 * permissions, anonymous or named, "[anon:...]", a line that is not one), statm's fields, the
 * libc test on the names glibc's file has had, a thread's syscall line, SigBlk mask and stat
 * state; then the readers against this very process.
 */
#include <signal.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "os/libc.h"
#include "os/proc_files.h"
#include "os/proc_maps.h"
#include "os/proc_tasks.h"

static int global_variable;

static bool find_thread(pid_t tid, void *context)
{
    if (tid == *(pid_t *)context)
        *(pid_t *)context = 0;
    return true;
}

static bool count_lines(const struct libleak_maps_entry *entry, void *context)
{
    (void)entry;
    ++*(int *)context;
    return true;
}

int main(void)
{
    struct libleak_maps_entry entry;
    CHECK(libleak_maps_parse_line("7f1c2a000000-7f1c2a021000 rw-p 00000000 00:00 0 ", &entry), "anonymous line");
    CHECK(entry.start == 0x7f1c2a000000 && entry.end == 0x7f1c2a021000, "addresses %lx-%lx",
          (unsigned long)entry.start, (unsigned long)entry.end);
    CHECK(entry.readable && entry.writable && !entry.executable && entry.anonymous, "rw-p anonymous");

    CHECK(libleak_maps_parse_line("55d0c1a00000-55d0c1a02000 r-xp 00002000 fd:01 1311 /usr/bin/cat", &entry),
          "file line");
    CHECK(entry.readable && !entry.writable && entry.executable && !entry.anonymous, "r-xp file");
    CHECK(strcmp(entry.name, "/usr/bin/cat") == 0, "name '%s'", entry.name);

    CHECK(libleak_maps_parse_line("7ffd1000-7ffd2000 rw-p 00000000 00:00 0                          [stack]",
                                  &entry),
          "stack line");
    CHECK(!entry.anonymous && strcmp(entry.name, "[stack]") == 0, "[stack] is named: '%s'", entry.name);

    CHECK(libleak_maps_parse_line("1000-2000 rw-p 00000000 00:00 0   [anon:libleak table]", &entry), "anon: line");
    CHECK(entry.anonymous, "[anon:...] counts as anonymous");

    CHECK(libleak_maps_parse_line("1000-2000 ---p 00000000 00:00 0", &entry), "no name at all");
    CHECK(!entry.readable && !entry.writable && entry.anonymous && entry.name[0] == '\0', "---p");

    CHECK(!libleak_maps_parse_line("", &entry), "empty line");
    CHECK(!libleak_maps_parse_line("zzzz-1000 rw-p", &entry), "not hexadecimal");
    CHECK(!libleak_maps_parse_line("1000 2000 rw-p", &entry), "no dash");
    CHECK(!libleak_maps_parse_line("1000-2000 rw", &entry), "permissions cut short");

    uintptr_t start, end, here = (uintptr_t)&global_variable;
    CHECK(libleak_maps_find(here, &start, &end) && start <= here && here < end, "this process's data");
    int lines = 0;
    CHECK(libleak_maps_read(count_lines, &lines) && lines > 5, "%d lines", lines);

    struct libleak_statm statm;
    CHECK(libleak_statm_parse("1000 200 30 4 0 500 0\n", 4096, &statm), "statm");
    CHECK(statm.size == 1000 * 4096 && statm.resident == 200 * 4096 && statm.data == 500 * 4096,
          "statm fields %llu %llu %llu", (unsigned long long)statm.size, (unsigned long long)statm.resident,
          (unsigned long long)statm.data);
    CHECK(!libleak_statm_parse("1000 200", 4096, &statm), "statm cut short");
    CHECK(libleak_statm_read(&statm) && statm.resident > 0 && statm.size >= statm.resident, "own statm");

    char path[4096];
    CHECK(libleak_program_path(path, sizeof path) && strstr(path, "test_os"), "program path '%s'", path);
    CHECK(!libleak_program_path(path, 4), "a buffer too small is refused, not cut");

    CHECK(libleak_path_is_libc("/lib/x86_64-linux-gnu/libc.so.6"), "libc.so.6");
    CHECK(libleak_path_is_libc("/lib/x86_64-linux-gnu/libc-2.31.so"), "libc-2.31.so");
    CHECK(libleak_path_is_libc("libc.so.6"), "no directory");
    CHECK(!libleak_path_is_libc("/usr/lib/libcrypto.so.3"), "libcrypto");
    CHECK(!libleak_path_is_libc("/usr/lib/libc-client.so.2007e"), "libc-client");
    CHECK(!libleak_path_is_libc("/opt/libc.so.6/libm.so.6"), "libc.so.6 as a directory");
    /* malloc is glibc's here, unless a sanitizer's runtime replaced it */
    Dl_info where;
    bool glibc_malloc = dladdr((void *)malloc, &where) && where.dli_fname && strstr(where.dli_fname, "/libc.so");
    libleak_libc_init((const void *)malloc);
    CHECK(libleak_allocator_is_glibc() == glibc_malloc, "malloc is glibc's: %d", glibc_malloc);
    libleak_libc_init((const void *)getpid); /* not intercepted by sanitizers */
    CHECK(libleak_allocator_is_glibc(), "getpid is in glibc");
    libleak_libc_init(NULL);
    CHECK(!libleak_allocator_is_glibc(), "no allocator");

    struct libleak_syscall_line call;
    CHECK(libleak_syscall_line_parse(
                  "202 0x7f1c2a0008a0 0x80 0x2 0x0 0x0 0x0 0x7ffd5a3c1e48 0x7f1c2a091d36\n", &call),
          "a thread in futex");
    CHECK(call.in_call && call.number == 202 && call.stack_pointer == 0x7ffd5a3c1e48, "futex: %d %ld %lx",
          call.in_call, call.number, (unsigned long)call.stack_pointer);
    CHECK(libleak_syscall_line_parse("-1 0x7ffd5a3c1e48 0x7f1c2a091d36\n", &call), "blocked outside a call");
    CHECK(!call.in_call && call.stack_pointer == 0x7ffd5a3c1e48, "-1: no call, sp %lx",
          (unsigned long)call.stack_pointer);
    CHECK(!libleak_syscall_line_parse("running\n", &call), "running: no stack pointer");
    CHECK(!libleak_syscall_line_parse("0 0x3\n", &call), "two fields");
    CHECK(!libleak_syscall_line_parse("7 1 2 3 4 5 6 7ffd 0x1\n", &call), "a stack pointer without 0x");

    const char *status = "Name:\tsigwaiter\nSigPnd:\t0000000000000000\nSigBlk:\t0000000020000000\n";
    CHECK(libleak_status_blocks_signal(status, 30), "signal 30 blocked (bit 29)");
    CHECK(!libleak_status_blocks_signal(status, 10), "signal 10 not blocked");
    CHECK(libleak_status_blocks_signal("SigBlk:\tfffffffe7ffbfeff\n", SIGPWR), "all but a few blocked");
    CHECK(!libleak_status_blocks_signal("Name:\tx\n", 30), "no SigBlk line");

    uint64_t switches = 0;
    CHECK(libleak_status_switches("Name:\tw\nvoluntary_ctxt_switches:\t41\nnonvoluntary_ctxt_switches:\t2\n",
                                  &switches) &&
                  switches == 43,
          "switches: %llu", (unsigned long long)switches);
    CHECK(!libleak_status_switches("Name:\tw\nnonvoluntary_ctxt_switches:\t2\n", &switches),
          "only the involuntary line");
    CHECK(libleak_task_switches(gettid(), &switches), "this thread's switches");

    CHECK(libleak_stat_is_alive("4242 (worker) S 1 4242"), "sleeping");
    CHECK(libleak_stat_is_alive("4242 (a (b) c) R 1"), "a name with parentheses");
    CHECK(!libleak_stat_is_alive("4242 (worker) Z 1"), "zombie");
    CHECK(!libleak_stat_is_alive("4242 (worker) X 1"), "dead");
    CHECK(!libleak_stat_is_alive("garbage"), "not a stat line");

    pid_t self = gettid();
    CHECK(libleak_tasks_list(find_thread, &self) && self == 0, "this thread is listed");
    CHECK(libleak_task_alive(gettid()), "this thread is alive");
    char name[64];
    CHECK(libleak_task_name(gettid(), name, sizeof name) && strncmp(name, "test_os", 7) == 0, "name '%s'",
          name);
    return check_result("test_os");
}
