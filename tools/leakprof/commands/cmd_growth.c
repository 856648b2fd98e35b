/*
 * cmd_growth.c — `leakprof growth P1 … Pn`: leak suspects from a series of snapshots.
 *
 * The method the pprof tutorials teach by hand — take a heap snapshot, wait, take another,
 * compare — done over a whole series at once. Stacks are matched across files by function
 * names and lines (stackset.h) and ranked as reports/growth.c says: the most steadily
 * growing first. A stack absent from a snapshot counts as zero there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "reports/growth.h"
#include "reports/process_memory.h"
#include "reports/report.h"
#include "reports/units.h"
#include "model/util.h"

#define DEFAULT_SHOWN 20

static void print_suspects(const struct frame_table *frames, const struct stack_set *set, size_t snapshots,
                           const char *unit, size_t shown_max)
{
    struct growth_suspect *suspects;
    size_t count = growth_rank(frames, set, snapshots, &suspects);
    if (count == 0) {
        printf("No stack grew from the first snapshot to the last.\n");
        free(suspects);
        return;
    }
    printf("Leak suspects, the most steadily growing first:\n");
    printf("%10s %6s %10s %10s  %s\n", "growth", "steps", "first", "last", "stack (leaf < callers)");
    for (size_t i = 0; i < count && (shown_max == 0 || i < shown_max); i++) {
        const struct growth_suspect *s = &suspects[i];
        char growth[64], first[64], last[64], steps[32];
        units_format_signed(growth, sizeof growth, s->growth, unit);
        units_format(first, sizeof first, s->entry->values[0], unit, "auto");
        units_format(last, sizeof last, s->entry->values[snapshots - 1], unit, "auto");
        snprintf(steps, sizeof steps, "%zu/%zu", s->growing_steps, snapshots - 1);
        printf("%10s %6s %10s %10s  ", growth, steps, first, last);
        report_print_stack_line(stdout, frames, s->entry->frames, s->entry->depth);
        putchar('\n');
    }
    if (shown_max && count > shown_max)
        printf("(%zu more growing stacks; -n 0 shows all)\n", count - shown_max);
    free(suspects);
}

/*
 * Resident memory beside the estimate. Resident memory that grows while the in-use
 * estimate stays flat is memory the allocator holds (fragmentation, arena growth) or memory
 * outside malloc, not live blocks: no stack below will explain it.
 */
static void print_memory_change(const struct process_memory *memory, size_t n, int64_t estimate_change,
                                const char *unit)
{
    if (!memory[0].has_resident || !memory[n - 1].has_resident)
        return;
    int64_t resident_change = add_saturating(memory[n - 1].resident, negate_saturating(memory[0].resident));
    char change[64];
    units_format_signed(change, sizeof change, resident_change, "bytes");
    printf("Resident change: %s", change);
    if (memory[0].has_allocator && memory[n - 1].has_allocator) {
        int64_t free_change =
                add_saturating(memory[n - 1].allocator_free, negate_saturating(memory[0].allocator_free));
        units_format_signed(change, sizeof change, free_change, "bytes");
        printf(" (free memory held in glibc's arenas: %s)", change);
    }
    putchar('\n');
    bool bytes = strcmp(unit, "bytes") == 0;
    int64_t explained = bytes && estimate_change > 0 ? estimate_change : 0;
    if (!bytes || resident_change < (int64_t)1 << 20 || resident_change <= 4 * explained)
        return;
    if (explained == 0)
        printf("Resident memory grew while the in-use estimate did not: memory the allocator holds\n"
               "after frees (fragmentation) or memory outside malloc, not a leak of live blocks.\n");
    else
        printf("Resident memory grew over 4 times as much as the in-use estimate: most of it is memory\n"
               "the allocator holds after frees (fragmentation) or outside malloc, not live blocks.\n");
}

int command_growth(int argc, char **argv)
{
    struct options options;
    int begun = command_begin("growth", OPT_SAMPLE_INDEX | OPT_NODE_COUNT | OPT_TAG_FILTER, 2, 0, "two or more profiles", argc,
                              argv, &options);
    if (begun >= 0)
        return begun;
    size_t n = options.file_count;
    struct frame_table frames;
    frame_table_init(&frames);
    struct profile **profiles = xcalloc(n, sizeof *profiles);
    int status = 2;
    if (!load_profiles(options.files, n, &frames, profiles)) {
        free(profiles);
        profiles = NULL;
        goto done;
    }
    long first_index =
            profile_sample_index(profiles[0], growth_default_type(profiles[0], options.sample_index));
    if (first_index < 0)
        goto done_profiles;
    const char *type = profiles[0]->types[first_index].type;
    const char *unit = profiles[0]->types[first_index].unit;

    struct stack_set set;
    stack_set_init(&set, n);
    printf("Growth of %s across %zu snapshots (%zu step%s), oldest first:\n", type, n, n - 1,
           n - 1 > 1 ? "s" : "");
    /* Resident memory and the allocator's view, when the files carry them (libleak's do). */
    struct process_memory *memory = xcalloc(n, sizeof *memory);
    bool show_memory = false;
    for (size_t p = 0; p < n; p++) {
        process_memory_read(profiles[p], &memory[p]);
        show_memory |= memory[p].has_resident || memory[p].has_allocator;
    }
    if (show_memory)
        printf("  %10s  %10s  %10s  %s\n", "estimate", "resident", "malloc'd", "profile");
    int64_t first_total = 0, last_total = 0;
    for (size_t p = 0; p < n; p++) {
        long index = profile_sample_index(profiles[p], type);
        if (index < 0) {
            stack_set_free(&set);
            free(memory);
            goto done_profiles;
        }
        int64_t total = 0;
        for (size_t s = 0; s < profiles[p]->sample_count; s++) {
            const struct sample *sample = &profiles[p]->samples[s];
            stack_set_add(&set, sample->frames, sample->depth, 0, p, sample->values[index]);
            total = add_saturating(total, sample->values[index]);
        }
        char text[64];
        units_format(text, sizeof text, total, unit, "auto");
        if (show_memory) {
            char resident[64] = "-", allocated[64] = "-";
            if (memory[p].has_resident)
                units_format(resident, sizeof resident, memory[p].resident, "bytes", "auto");
            if (memory[p].has_allocator)
                units_format(allocated, sizeof allocated, memory[p].allocator_in_use, "bytes", "auto");
            printf("  %10s  %10s  %10s  %s\n", text, resident, allocated, profiles[p]->path);
        } else {
            printf("  %10s  %s\n", text, profiles[p]->path);
        }
        if (p == 0)
            first_total = total;
        last_total = total;
    }
    char change[64];
    units_format_signed(change, sizeof change, add_saturating(last_total, negate_saturating(first_total)),
                        unit);
    printf("Total change: %s\n", change);
    if (show_memory)
        print_memory_change(memory, n, add_saturating(last_total, negate_saturating(first_total)), unit);
    putchar('\n');
    free(memory);
    print_suspects(&frames, &set, n, unit, options.node_count_set ? options.node_count : DEFAULT_SHOWN);
    stack_set_free(&set);
    status = 0;
done_profiles:
    free_profiles(profiles, n);
done:
    free(profiles);
    frame_table_free(&frames);
    free(options.files);
    return status;
}
