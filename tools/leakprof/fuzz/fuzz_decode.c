/*
 * fuzz_decode.c — the libFuzzer target of leakprof (`make fuzz`).
 *
 * Feeds arbitrary bytes to the same entry point a file goes through (gunzip, protobuf-c
 * unpack, profile_resolve.c's checks) and, when a profile comes out, runs the data paths
 * of the commands on it: the top graph for every sample index, a base subtraction (the
 * profile minus itself), the header lines and one-line stacks. Built with AddressSanitizer
 * and UndefinedBehaviorSanitizer, so an out-of-bounds index, a signed overflow in a sum or
 * a leak on an error path is a crash. Run it with tools/leakprof/fuzz/run.sh.
 *
 * Then every command runs on the same bytes, handed over as a file: a memfd named
 * /proc/self/fd/N, so that nothing touches the disk. Their output goes to /dev/null.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "commands/commands.h"
#include "reports/graph.h"
#include "model/profile_model.h"
#include "reports/report.h"
#include "reports/units.h"

static FILE *sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sink = fopen("/dev/null", "w");
    if (!sink || !freopen("/dev/null", "w", stdout))
        return 1;
    return 0;
}

static void exercise_index(const struct profile *profile, const struct frame_table *frames, long index)
{
    const struct profile *bases[2] = {NULL, profile};
    for (int b = 0; b < 2; b++) {
        struct stack_list list;
        if (!stack_list_collect(&list, profile, index, bases[b], NULL))
            continue;
        struct graph_options options = {0.005, 0.001, 0, b ? ORDER_GROWTH : ORDER_FLAT, list.total};
        struct graph_result result;
        graph_top(frames, list.stacks, list.count, &options, &result);
        char text[64];
        for (size_t i = 0; i < result.row_count; i++) {
            units_format(text, sizeof text, result.rows[i].flat, profile->types[index].unit, "minimum");
            units_percentage(text, sizeof text, result.rows[i].cum, result.total);
        }
        report_print_labels(sink, profile, bases[b], index, result.total, "minimum");
        for (size_t i = 0; i < list.count && i < 16; i++)
            report_print_stack_line(sink, frames, list.stacks[i].frames, list.stacks[i].depth);
        graph_result_free(&result);
        stack_list_free(&list);
    }
}

/* Each command as a person would run it, on the input as a file. */
static void run_commands(const uint8_t *data, size_t size)
{
    int fd = memfd_create("leakprof-fuzz", 0);
    if (fd < 0)
        return;
    if (write(fd, data, size) == (ssize_t)size) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        char *runs[][8] = {
                {"leakprof", "top", path},
                {"leakprof", "top", "--cum", "-n", "3", "--focus", "a", path},
                {"leakprof", "traces", path},
                {"leakprof", "folded", path},
                {"leakprof", "info", path},
                {"leakprof", "check", path},
                {"leakprof", "check", path, path},
                {"leakprof", "check", "--each", "--max-bytes", "1k", path, path},
                {"leakprof", "diff", path, path},
                {"leakprof", "growth", path, path},
                {"leakprof", "list", ".", path},
                {"leakprof", "top", path, path},
                {"leakprof", "traces", path, path},
                {"leakprof", "html", "-o", "/dev/null", "--base", path, path, path},
        };
        for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
            int argc = 0;
            while (argc < 8 && runs[i][argc])
                argc++;
            commands_run(argc, runs[i]);
        }
        fflush(stdout);
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_commands(data, size);
    struct frame_table frames;
    frame_table_init(&frames);
    struct profile *profile = profile_load_bytes("fuzz-input", data, size, &frames);
    if (profile) {
        for (size_t t = 0; t < profile->type_count && t < 4; t++)
            exercise_index(profile, &frames, (long)t);
        profile_free(profile);
    }
    frame_table_free(&frames);
    return 0;
}
