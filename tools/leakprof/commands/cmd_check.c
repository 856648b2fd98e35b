/*
 * cmd_check.c — `leakprof check`: the CI gate on heap profiles.
 *
 * The profiles named are merged as `go tool pprof A B C` merges them (profile_load_all),
 * so the workers of a pre-forking server are gated as one process: the in-use bytes
 * (inuse_space) and objects (inuse_objects) of every stack no suppression matches, summed
 * and compared with --max-bytes / --max-objects. With --each, every argument (a quoted
 * glob being the merge of its files) gets its own verdict instead: a per-process limit
 * for a CI run of several programs. The exit status is then the worst verdict.
 * Within the limits: one "ok" line, exit 0. Over: a short report naming the largest
 * unsuppressed stacks, exit 1 — a failing gate has to say where to look. A file that cannot
 * be read, or that has no in-use sample types, is exit 2 (bad input), never "ok".
 * Without any limit the gate is strict: any in-use byte fails, as for the leak gate at exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "reports/report.h"
#include "reports/suppressions.h"
#include "reports/units.h"
#include "model/util.h"

#define STACKS_REPORTED 10

struct usage {
    int64_t bytes, objects;
    int64_t suppressed_bytes;
    size_t suppressed_stacks;
};

static long find_type(const struct profile *profile, const char *name)
{
    for (size_t i = 0; i < profile->type_count; i++)
        if (strcmp(profile->types[i].type, name) == 0)
            return (long)i;
    fprintf(stderr, "leakprof: %s: no %s sample type (check reads heap profiles)\n", profile->path, name);
    return -1;
}

static int compare_bytes(const void *a, const void *b)
{
    int64_t x = (*(const struct stack_entry *const *)a)->values[0];
    int64_t y = (*(const struct stack_entry *const *)b)->values[0];
    return x > y ? -1 : x < y;
}

static void print_largest(const struct frame_table *frames, const struct stack_set *set,
                          const struct libleak_suppressions *suppressions)
{
    const struct stack_entry **entries = xcalloc(set->count, sizeof *entries);
    size_t count = 0;
    for (size_t e = 0; e < set->count; e++)
        if (!suppressions_match(suppressions, frames, set->entries[e].frames, set->entries[e].depth) &&
            (set->entries[e].values[0] > 0 || set->entries[e].values[1] > 0))
            entries[count++] = &set->entries[e];
    qsort(entries, count, sizeof *entries, compare_bytes);
    printf("  largest in-use stacks (leaf < callers):\n");
    for (size_t i = 0; i < count && i < STACKS_REPORTED; i++) {
        char bytes[64];
        units_format(bytes, sizeof bytes, entries[i]->values[0], "bytes", "auto");
        printf("  %10s %8lld objects  ", bytes, (long long)entries[i]->values[1]);
        report_print_stack_line(stdout, frames, entries[i]->frames, entries[i]->depth);
        putchar('\n');
    }
    if (count > STACKS_REPORTED)
        printf("  (%zu more stacks)\n", count - STACKS_REPORTED);
    free(entries);
}

/* Returns 0 within the limits, 1 over them, 2 when the profile is not a heap profile. */
static int check_profile(const struct profile *profile, const struct frame_table *frames,
                         const struct libleak_suppressions *suppressions, const struct options *options)
{
    long bytes_index = find_type(profile, "inuse_space");
    long objects_index = bytes_index < 0 ? -1 : find_type(profile, "inuse_objects");
    if (objects_index < 0)
        return 2;
    struct stack_set set;
    stack_set_init(&set, 2);
    for (size_t s = 0; s < profile->sample_count; s++) {
        const struct sample *sample = &profile->samples[s];
        stack_set_add(&set, sample->frames, sample->depth, 0, 0, sample->values[bytes_index]);
        stack_set_add(&set, sample->frames, sample->depth, 0, 1, sample->values[objects_index]);
    }
    struct usage usage = {0};
    for (size_t e = 0; e < set.count; e++) {
        const struct stack_entry *entry = &set.entries[e];
        if (suppressions_match(suppressions, frames, entry->frames, entry->depth)) {
            usage.suppressed_bytes = add_saturating(usage.suppressed_bytes, entry->values[0]);
            usage.suppressed_stacks += entry->values[0] != 0 || entry->values[1] != 0;
            continue;
        }
        usage.bytes = add_saturating(usage.bytes, entry->values[0]);
        usage.objects = add_saturating(usage.objects, entry->values[1]);
    }
    bool strict = options->max_bytes < 0 && options->max_objects < 0;
    int64_t max_bytes = strict ? 0 : options->max_bytes;
    bool over_bytes = max_bytes >= 0 && usage.bytes > max_bytes;
    bool over_objects = options->max_objects >= 0 && usage.objects > options->max_objects;

    char bytes[64], limit[64], suppressed[64];
    units_format(bytes, sizeof bytes, usage.bytes, "bytes", "auto");
    units_format(suppressed, sizeof suppressed, usage.suppressed_bytes, "bytes", "auto");
    printf("%s: %s: %s in use in %lld objects", profile->path, over_bytes || over_objects ? "FAIL" : "ok",
           bytes, (long long)usage.objects);
    if (over_bytes) {
        units_format(limit, sizeof limit, max_bytes, "bytes", "auto");
        printf(", over --max-bytes %s", limit);
    }
    if (over_objects)
        printf(", over --max-objects %lld", (long long)options->max_objects);
    if (usage.suppressed_stacks)
        printf(" (%zu stack%s suppressed, %s)", usage.suppressed_stacks,
               usage.suppressed_stacks > 1 ? "s" : "", suppressed);
    putchar('\n');
    if (over_bytes || over_objects)
        print_largest(frames, &set, suppressions);
    stack_set_free(&set);
    return over_bytes || over_objects;
}

/* --each: every argument a profile of its own, each with its own verdict line. */
static int check_each(const struct options *options, const struct libleak_suppressions *suppressions)
{
    struct frame_table frames;
    frame_table_init(&frames);
    struct profile **profiles = xcalloc(options->file_count, sizeof *profiles);
    int status = 2;
    if (load_profiles(options->files, options->file_count, &frames, profiles)) {
        status = 0;
        for (size_t i = 0; i < options->file_count && status != 2; i++) {
            int result = check_profile(profiles[i], &frames, suppressions, options);
            if (result > status)
                status = result;
        }
        free_profiles(profiles, options->file_count);
    }
    free(profiles);
    frame_table_free(&frames);
    return status;
}

/* The default: all arguments merged into one profile, one verdict. */
static int check_merged(const struct options *options, const struct libleak_suppressions *suppressions)
{
    struct frame_table frames;
    frame_table_init(&frames);
    struct profile *profile = profile_load_all(options->files, options->file_count, &frames);
    int status = profile ? check_profile(profile, &frames, suppressions, options) : 2;
    profile_free(profile);
    frame_table_free(&frames);
    return status;
}

int command_check(int argc, char **argv)
{
    struct options options;
    unsigned accepted = OPT_MAX_BYTES | OPT_MAX_OBJECTS | OPT_SUPPRESSIONS | OPT_EACH | OPT_TAG_FILTER;
    int begun = command_begin("check", accepted, 1, 0, "one or more profiles", argc, argv, &options);
    if (begun >= 0)
        return begun;
    struct libleak_suppressions suppressions = {0};
    if (options.suppressions && !suppressions_load(&suppressions, options.suppressions)) {
        free(options.files);
        return 2;
    }
    int status = options.each ? check_each(&options, &suppressions) : check_merged(&options, &suppressions);
    libleak_suppressions_free(&suppressions);
    free(options.files);
    return status;
}
