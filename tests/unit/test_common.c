/*
 * The contracts both programs compile in (common/): the size and duration syntax, fed the
 * strings each program accepted before they shared it; the profile comments, written with the
 * writer's formats and read back; suppression files and LeakSanitizer's pattern matching.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "common/profile_comments.h"
#include "common/quantities.h"
#include "common/suppressions.h"

typedef bool parser(const char *text, uint64_t *value);

/* Checks that PARSE reads TEXT as EXPECTED, or refuses it when REFUSED. */
static void check_quantity(parser *parse, const char *text, bool refused, uint64_t expected)
{
    uint64_t value = 0;
    bool parsed = parse(text, &value);
    CHECK(parsed != refused && (refused || value == expected), "%s \"%s\": %s %llu, expected %s %llu",
          parse == libleak_parse_size ? "size" : "duration", text, parsed ? "got" : "refused",
          (unsigned long long)value, refused ? "refusal, not" : "", (unsigned long long)expected);
}

#define size_is(text, expected)     check_quantity(libleak_parse_size, text, false, expected)
#define size_refused(text)          check_quantity(libleak_parse_size, text, true, 0)
#define duration_is(text, expected) check_quantity(libleak_parse_duration, text, false, expected)
#define duration_refused(text)      check_quantity(libleak_parse_duration, text, true, 0)

static void test_sizes(void)
{
    /* What the library took: integers, k m g t, "i" and "b" after them, blanks around. */
    size_is("0", 0);
    size_is("1", 1);
    size_is("512k", 512 << 10);
    size_is("2M", 2 << 20);
    size_is("1g", 1 << 30);
    size_is("3t", 3ULL << 40);
    size_is("64KiB", 65536);
    size_is("64ki", 65536);
    size_is("64kb", 65536);
    size_is(" 16m ", 16 << 20);
    size_is("007", 7);
    size_is("18446744073709551615", UINT64_MAX);
    size_is("16777215t", 16777215ULL << 40);
    /* What leakprof took: fractions, a lone b, exponents, a sign. */
    size_is("1.5GiB", 3ULL << 29);
    size_is("10MB", 10 << 20);
    size_is("0.5k", 512);
    size_is(".5k", 512);
    size_is("5.", 5);
    size_is("1.5", 1);
    size_is("0.1k", 102);
    size_is("100b", 100);
    size_is("1e3", 1000);
    size_is("2.5e-1k", 256);
    size_is("1E2kb", 100 << 10);
    size_is("+4k", 4096);
    size_is("-0", 0);
    size_is("9007199254740993", 9007199254740993ULL); /* exact, where a double rounds */
    size_is("0.00000000000000000000000000001t", 0);
    size_is("000000000000000000000000000001k", 1024);
    size_refused("");
    size_refused(" ");
    size_refused("k");
    size_refused(".");
    size_refused("-5");
    size_refused("-0.5");
    size_refused("12x");
    size_refused("1 k");
    size_refused("5ib");
    size_refused("1kk");
    size_refused("1e");
    size_refused("1e+");
    size_refused("0x10");
    size_refused("inf");
    size_refused("nan");
    size_refused("18446744073709551616");
    size_refused("99999999999999999999");
    size_refused("17179869184g");
    size_refused("16777216t");
    size_refused("1e20");
    size_refused("1e99999999999");
}

static void test_durations(void)
{
    duration_is("0", 0);
    duration_is("90", 90);
    duration_is("30s", 30);
    duration_is("5m", 300);
    duration_is("2h", 7200);
    duration_is("1d", 86400);
    duration_is("1.5h", 5400);
    duration_is("0.5s", 0);
    duration_is("0.25d", 21600);
    duration_is(" 10m ", 600);
    duration_is("18446744073709551615", UINT64_MAX);
    duration_refused("");
    duration_refused("m");
    duration_refused("5x");
    duration_refused("-1");
    duration_refused("5M"); /* months or minutes: neither program ever took it */
    duration_refused("1ms");
    duration_refused("1 h");
    duration_is("213503982334601d", 213503982334601ULL * 86400);
    duration_refused("213503982334602d");
}

static void test_comments(void)
{
    char text[256];
    uint64_t resident = 0;
    snprintf(text, sizeof text, LIBLEAK_COMMENT_RESIDENT, 123456789ULL);
    CHECK(strcmp(text, "resident memory: 123456789 bytes (/proc/self/statm)") == 0, "resident: %s", text);
    CHECK(libleak_comment_read_resident(text, &resident) && resident == 123456789, "resident read back: %llu",
          (unsigned long long)resident);

    struct libleak_allocator_comment allocator = {0};
    snprintf(text, sizeof text, LIBLEAK_COMMENT_ALLOCATOR, 1ULL, 2ULL, 3ULL, 4ULL);
    CHECK(libleak_comment_read_allocator(text, &allocator) && allocator.in_use == 1 &&
                  allocator.free_in_arenas == 2 && allocator.mmapped == 3 && allocator.arenas == 4,
          "allocator read back: %s", text);
    snprintf(text, sizeof text, LIBLEAK_COMMENT_ALLOCATOR_SLOW, 25ULL);
    CHECK(!libleak_comment_read_allocator(text, &allocator), "the slow note read as figures: %s", text);

    struct libleak_samples_comment samples = {0};
    snprintf(text, sizeof text, LIBLEAK_COMMENT_SAMPLES, 10ULL, 2ULL, 1ULL);
    CHECK(strcmp(text, "samples taken: 10; dropped: 2 (stack table full), 1 (live table full)") == 0,
          "samples: %s", text);
    CHECK(libleak_comment_read_samples(text, &samples) && samples.taken == 10 &&
                  samples.dropped_stacks == 2 && samples.dropped_live == 1,
          "samples read back: %s", text);

    CHECK(!libleak_comment_read_resident("resident memory: lots", &resident), "free text parsed");
    CHECK(!libleak_comment_read_samples("stacks: 3 of at most 4; live sampled blocks: 5", &samples),
          "another comment parsed as samples");
}

static void matches(const char *pattern, const char *text, bool expected)
{
    CHECK(libleak_suppression_matches(pattern, text) == expected, "\"%s\" %s \"%s\"", pattern,
          expected ? "misses" : "matches", text ? text : "(null)");
}

static void test_patterns(void)
{
    /* LeakSanitizer's rules: anywhere, '*', '^' and '$'. */
    matches("leaky", "my_leaky_function", true);
    matches("leaky", "clean", false);
    matches("^my_", "my_leaky_function", true);
    matches("^leaky", "my_leaky_function", false);
    matches("function$", "my_leaky_function", true);
    matches("leaky$", "my_leaky_function", false);
    matches("^main$", "main", true);
    matches("^main$", "main2", false);
    matches("^main$", "domain", false);
    matches("ma*n", "main", true);
    matches("ma*n", "xmaxxnx", true);
    matches("^ma*n$", "maxnn", true);
    matches("a*b$", "abxb", true); /* LSan's first-place search misses this one */
    matches("a*b*c", "cba", false);
    matches("*", "anything", true);
    matches("*$", "anything", true);
    matches("^*leaky", "my_leaky", true);
    matches("*/gate_leaks", "/build/tests/gate_leaks", true);
    matches("libfoo.so", "/usr/lib/libfoo.so.1", true);
    /* Nothing else is special, and nothing matches an unknown name. */
    matches("ma?n", "main", false);
    matches("ma?n", "ma?n", true);
    matches("[abi:cxx11]", "std::string f[abi:cxx11]()", true);
    matches("$", "main", false);
    matches("^$", "main", false);
    matches("*", "", false);
    matches("*", NULL, false);
}

static bool read_text(const char *text, struct libleak_suppressions *list, char *error, size_t error_size)
{
    FILE *file = fmemopen((void *)text, strlen(text), "r");
    bool ok = libleak_suppressions_read(list, file, "test.supp", error, error_size);
    fclose(file);
    return ok;
}

static void test_suppression_files(void)
{
    struct libleak_suppressions list;
    char error[256] = "";
    bool ok = read_text("# accepted\n\n  leak:  leaky_*  \r\n\tleak:^main$\nleak:libfoo.so", &list, error,
                        sizeof error);
    CHECK(ok && list.count == 3, "good file: %d, %zu patterns, %s", ok, list.count, error);
    if (ok && list.count == 3) {
        CHECK(strcmp(list.patterns[0], "leaky_*") == 0, "blanks not trimmed: '%s'", list.patterns[0]);
        CHECK(strcmp(list.patterns[2], "libfoo.so") == 0, "last line: '%s'", list.patterns[2]);
        struct libleak_suppression_frame frame = {.function = "helper", .module = "/usr/lib/libfoo.so.1"};
        CHECK(libleak_suppressions_match_frame(&list, &frame) == list.patterns[2], "module path not matched");
        frame = (struct libleak_suppression_frame){.function = "f()", .linkage_name = "_Z6leaky_v"};
        CHECK(libleak_suppressions_match_frame(&list, &frame) == list.patterns[0],
              "linkage name not matched");
        frame = (struct libleak_suppression_frame){.function = "g", .file = "src/leaky_cache.c"};
        CHECK(libleak_suppressions_match_frame(&list, &frame) == list.patterns[0], "source file not matched");
        frame = (struct libleak_suppression_frame){.function = "main_loop", .file = ""};
        CHECK(libleak_suppressions_match_frame(&list, &frame) == NULL, "main_loop matched ^main$");
    }
    libleak_suppressions_free(&list);

    /* A bad line: the file is refused whole, the line named. */
    ok = read_text("leak:ok\nmalloc\nleak:other\n", &list, error, sizeof error);
    CHECK(!ok && list.count == 0 && !list.patterns, "bad file accepted with %zu patterns", list.count);
    CHECK(strcmp(error, "test.supp:2: expected 'leak:PATTERN', got 'malloc'") == 0, "message: %s", error);
    ok = read_text("\nleak:   \n", &list, error, sizeof error);
    CHECK(!ok && strcmp(error, "test.supp:2: expected 'leak:PATTERN', got 'leak:'") == 0, "empty pattern: %s",
          error);
    ok = read_text("interceptor_via_lib:libfoo\n", &list, error, sizeof error);
    CHECK(!ok, "another LSan type accepted");
    ok = read_text("", &list, error, sizeof error);
    CHECK(ok && list.count == 0, "empty file refused: %s", error);
    libleak_suppressions_free(&list);
}

int main(void)
{
    test_sizes();
    test_durations();
    test_comments();
    test_patterns();
    test_suppression_files();
    return check_result("test_common");
}
