/*
 * Unit test of the os/ layer's pure parts, fed strings: a /proc/self/maps line (addresses,
 * permissions, anonymous or named, "[anon:...]", a line that is not one), statm's fields, the
 * libc test on the names glibc's file has had; then the readers against this very process.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "os/libc.h"
#include "os/proc_files.h"
#include "os/proc_maps.h"

static int global_variable;

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
    libleak_libc_init((const void *)malloc);
    CHECK(libleak_allocator_is_glibc(), "malloc is glibc's here");
    libleak_libc_init(NULL);
    CHECK(!libleak_allocator_is_glibc(), "no allocator");
    return check_result("test_os");
}
