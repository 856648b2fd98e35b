/*
 * cmd_info.c — `leakprof info`: what a profile holds, before reading it closely.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "commands/commands.h"
#include "reports/process_memory.h"
#include "reports/report.h"
#include "reports/units.h"
#include "model/util.h"

static void print_time(int64_t nanos)
{
    time_t seconds = (time_t)(nanos / 1000000000);
    struct tm tm;
    char text[64];
    if (gmtime_r(&seconds, &tm) && strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm))
        printf("Time:          %s (%" PRId64 " ns)\n", text, nanos);
    else
        printf("Time:          %" PRId64 " ns\n", nanos);
}

int command_info(int argc, char **argv)
{
    struct options options;
    int begun = command_begin("info", 0, 1, 0, "one or more profiles", argc, argv, &options);
    if (begun >= 0)
        return begun;
    struct frame_table frames;
    frame_table_init(&frames);
    struct profile *p = profile_load_all(options.files, options.file_count, &frames);
    free(options.files);
    if (!p) {
        frame_table_free(&frames);
        return 2;
    }
    printf("File:          %s\n", p->path);
    if (p->main_file[0])
        printf("Main binary:   %s\n", p->main_file);
    if (p->main_build_id[0])
        printf("Build ID:      %s\n", p->main_build_id);
    printf("Sample types: ");
    if (p->type_count == 0)
        printf(" none");
    for (size_t i = 0; i < p->type_count; i++)
        printf(" %s/%s%s", p->types[i].type, p->types[i].unit, i == p->default_type ? " (default)" : "");
    printf("\n");
    if (p->period_type[0] || p->period)
        printf("Period:        %" PRId64 " %s/%s\n", p->period, p->period_type, p->period_unit);
    if (p->time_nanos)
        print_time(p->time_nanos);
    if (p->duration_nanos) {
        char duration[64];
        units_format(duration, sizeof duration, p->duration_nanos, "nanoseconds", "auto");
        printf("Duration:      %s\n", duration);
    }
    printf("Samples:       %zu\n", p->sample_count);
    printf("Locations:     %zu\n", p->location_count);
    printf("Functions:     %zu\n", p->function_count);
    printf("Mappings:      %zu\n", p->mapping_count);
    printf("Strings:       %zu\n", p->string_count);
    for (size_t i = 0; i < p->comment_count; i++)
        printf("Comment:       %s\n", p->comments[i]);
    struct process_memory memory;
    process_memory_read(p, &memory);
    char text[64];
    if (memory.has_resident) {
        units_format(text, sizeof text, memory.resident, "bytes", "auto");
        printf("Resident:      %s (%" PRId64 ")\n", text, memory.resident);
    }
    if (memory.has_allocator) {
        units_format(text, sizeof text, memory.allocator_in_use, "bytes", "auto");
        printf("Malloc'd:      %s in use (glibc)", text);
        units_format(text, sizeof text, memory.allocator_free, "bytes", "auto");
        printf(", %s free in its arenas\n", text);
    }
    for (size_t t = 0; t < p->type_count; t++) {
        int64_t total = 0;
        for (size_t s = 0; s < p->sample_count; s++)
            total = add_saturating(total, p->samples[s].values[t]);
        char scaled[64];
        units_format(scaled, sizeof scaled, total, p->types[t].unit, "auto");
        printf("Total %-15s %s (%" PRId64 ")\n", p->types[t].type, scaled, total);
    }
    profile_free(p);
    frame_table_free(&frames);
    return 0;
}
