/*
 * cmd_traces.c — `leakprof traces`: every sample's stack with its value and labels, in the
 * layout of `go tool pprof -traces` (a separator line, the labels right-aligned in ten
 * columns, then the frames leaf first with the value on the first one, " (inline)" after a
 * frame that was inlined into its caller). Values are scaled one by one, as pprof does.
 *
 * Like pprof, samples whose values are all zero are left out, and samples with the same
 * stack (down to the addresses) and labels are printed once, where the first appeared,
 * with their values summed. With --base, each distinct stack's difference is printed
 * instead (pprof prints the base's samples negated, one by one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "reports/report.h"
#include "reports/units.h"
#include "model/util.h"

static const char separator[] = "-----------+-------------------------------------------------------";

/* pprof infers a numeric label's unit from its key when the file gives none. */
static const char *label_unit(const struct sample_label *label)
{
    if (label->unit[0])
        return label->unit;
    if (strcmp(label->key, "alignment") == 0 || strcmp(label->key, "request") == 0)
        return "bytes";
    return label->key;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One line per label key, its values joined by spaces, string labels first, each group
 * sorted — pprof's order.
 */
static void print_labels(const struct sample *sample)
{
    for (int numeric = 0; numeric < 2; numeric++) {
        char **lines = xcalloc(sample->label_count, sizeof *lines);
        size_t count = 0;
        for (size_t i = 0; i < sample->label_count; i++) {
            const struct sample_label *label = &sample->labels[i];
            if ((label->str == NULL) != numeric)
                continue;
            bool seen = false;
            for (size_t j = 0; j < i; j++)
                seen |= strcmp(sample->labels[j].key, label->key) == 0 &&
                        (sample->labels[j].str == NULL) == numeric;
            if (seen)
                continue;
            size_t size = 64, used;
            char *line = xmalloc(size);
            used = (size_t)snprintf(line, size, "%10s: ", label->key);
            for (size_t j = i; j < sample->label_count; j++) {
                const struct sample_label *other = &sample->labels[j];
                if (strcmp(other->key, label->key) != 0 || (other->str == NULL) != numeric)
                    continue;
                char number[64];
                const char *text = other->str;
                if (numeric) {
                    units_format(number, sizeof number, other->num, label_unit(other), "auto");
                    text = number;
                }
                size_t need = used + strlen(text) + 2;
                if (need > size) {
                    size = need * 2;
                    line = xrealloc(line, size);
                }
                used += (size_t)snprintf(line + used, size - used, " %s", text);
            }
            lines[count++] = line;
        }
        qsort(lines, count, sizeof *lines, compare_strings);
        for (size_t i = 0; i < count; i++) {
            printf("%s\n", lines[i]);
            free(lines[i]);
        }
        free(lines);
    }
}

static void print_stack(const struct frame_table *frames, const uint32_t *stack, uint32_t depth,
                        int64_t value, const char *unit)
{
    for (uint32_t i = 0; i < depth; i++) {
        char text[64] = "";
        if (i == 0)
            units_format(text, sizeof text, value, unit, "minimum");
        const struct frame *frame = frame_get(frames, stack[i]);
        printf("%10s   %s%s\n", text, frame->name, frame->inlined ? " (inline)" : "");
    }
}

static bool all_zero(const struct sample *sample, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (sample->values[i] != 0)
            return false;
    return true;
}

static void print_merged_samples(const struct profile *profile, const struct frame_table *frames,
                                 struct frame_filter *filter, long index)
{
    struct stack_set merged;
    stack_set_init(&merged, profile->type_count);
    size_t *first_sample = xcalloc(profile->sample_count, sizeof *first_sample);
    for (size_t s = 0; s < profile->sample_count; s++) {
        const struct sample *sample = &profile->samples[s];
        if (sample->depth == 0 || all_zero(sample, profile->type_count) ||
            !filter_keeps(filter, sample->frames, sample->depth))
            continue;
        size_t before = merged.count;
        uint64_t tag = sample_labels_tag(sample) ^ sample->address_key;
        for (size_t t = 0; t < profile->type_count; t++)
            stack_set_add(&merged, sample->frames, sample->depth, tag, t, sample->values[t]);
        if (merged.count > before)
            first_sample[before] = s;
    }
    for (size_t e = 0; e < merged.count; e++) {
        const struct stack_entry *entry = &merged.entries[e];
        bool zero = true; /* pprof's merge drops a sample whose sums are all zero */
        for (size_t t = 0; t < profile->type_count; t++)
            zero &= entry->values[t] == 0;
        if (zero)
            continue;
        printf("%s\n", separator);
        print_labels(&profile->samples[first_sample[e]]);
        print_stack(frames, entry->frames, entry->depth, entry->values[index], profile->types[index].unit);
    }
    free(first_sample);
    stack_set_free(&merged);
}

int command_traces(int argc, char **argv)
{
    struct options options;
    unsigned accepted = OPT_SAMPLE_INDEX | OPT_BASE | OPT_FOCUS | OPT_IGNORE | OPT_OLDER_THAN | OPT_TAG_FILTER;
    int begun = command_begin("traces", accepted, 1, 0, "one or more profiles", argc, argv, &options);
    if (begun >= 0)
        return begun;
    struct report_input in;
    struct stack_list list;
    if (!report_input_open(&in, options.files, options.file_count, options.base, &options) ||
        !stack_list_collect(&list, in.profile, in.index, in.base, &in.filter)) {
        report_input_close(&in);
        free(options.files);
        return 2;
    }
    const char *unit = in.profile->types[in.index].unit;
    report_print_labels(stdout, in.profile, in.base, in.index, list.total, "minimum");
    if (in.base) {
        for (size_t i = 0; i < list.count; i++) {
            if (list.stacks[i].depth == 0 || list.stacks[i].value == 0)
                continue;
            printf("%s\n", separator);
            print_stack(&in.frames, list.stacks[i].frames, list.stacks[i].depth, list.stacks[i].value, unit);
        }
    } else {
        print_merged_samples(in.profile, &in.frames, &in.filter, in.index);
    }
    printf("%s\n", separator);
    stack_list_free(&list);
    report_input_close(&in);
    free(options.files);
    return 0;
}
