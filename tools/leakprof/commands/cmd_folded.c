/*
 * cmd_folded.c — `leakprof folded`: the collapsed-stack format of flamegraph.pl, inferno
 * and speedscope. One line per distinct stack: frames root first joined by ';', a space,
 * the value. The readers split a line at its last space and the frames at ';', so a ';'
 * or a line break inside a function name (C++ templates can hold neither, but a hostile
 * file can) is replaced. Lines are sorted so that output can be compared with diff(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "reports/report.h"
#include "model/util.h"

struct folded_line {
    char *text;
    int64_t value;
};

static char *fold(const struct frame_table *frames, const uint32_t *stack, uint32_t depth)
{
    size_t size = 1;
    for (uint32_t i = 0; i < depth; i++)
        size += strlen(frame_get(frames, stack[i])->name) + 1;
    char *text = xmalloc(size), *p = text;
    for (uint32_t i = depth; i-- > 0;) {
        const char *name = frame_get(frames, stack[i])->name;
        for (; *name; name++)
            *p++ = *name == ';' ? ':' : (*name == '\n' || *name == '\r') ? ' ' : *name;
        if (i)
            *p++ = ';';
    }
    *p = '\0';
    return text;
}

static int compare_lines(const void *a, const void *b)
{
    return strcmp(((const struct folded_line *)a)->text, ((const struct folded_line *)b)->text);
}

int command_folded(int argc, char **argv)
{
    struct options options;
    int begun = command_begin("folded", OPT_SAMPLE_INDEX | OPT_FOCUS | OPT_IGNORE | OPT_OLDER_THAN | OPT_TAG_FILTER, 1, 0,
                              "one or more profiles", argc, argv, &options);
    if (begun >= 0)
        return begun;
    struct report_input in;
    if (!report_input_open(&in, options.files, options.file_count, NULL, &options)) {
        report_input_close(&in);
        free(options.files);
        return 2;
    }
    const struct profile *profile = in.profile;
    struct folded_line *lines = xcalloc(profile->sample_count, sizeof *lines);
    size_t count = 0;
    for (size_t s = 0; s < profile->sample_count; s++) {
        const struct sample *sample = &profile->samples[s];
        if (sample->depth == 0 || !filter_keeps(&in.filter, sample->frames, sample->depth))
            continue;
        lines[count++] = (struct folded_line){fold(&in.frames, sample->frames, sample->depth),
                                              sample->values[in.index]};
    }
    qsort(lines, count, sizeof *lines, compare_lines);
    for (size_t i = 0; i < count;) {
        int64_t value = lines[i].value;
        size_t j = i + 1;
        for (; j < count && strcmp(lines[j].text, lines[i].text) == 0; j++)
            value = add_saturating(value, lines[j].value);
        if (value != 0)
            printf("%s %lld\n", lines[i].text, (long long)value);
        for (; i < j; i++)
            free(lines[i].text);
    }
    free(lines);
    report_input_close(&in);
    free(options.files);
    return 0;
}
