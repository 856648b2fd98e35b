/*
 * cmd_top.c — `leakprof top` and `leakprof diff`.
 *
 * `top` is pprof's `-top` text report: the same header lines and columns, the same
 * trimming (nodes under 0.5% of the total dropped), order and unit choice, so its rows can
 * be checked against `go tool pprof -top`. `diff OLD NEW` is `top --base OLD NEW` ordered
 * for a person chasing a leak: what grew most first (signed, not by magnitude), followed
 * by the stacks that grew most, so the allocation site and its callers are both in view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "reports/graph.h"
#include "reports/report.h"
#include "reports/units.h"
#include "model/util.h"

#define DEFAULT_NODE_FRACTION 0.005
#define DEFAULT_EDGE_FRACTION 0.001
#define DIFF_STACKS_SHOWN     5

/* pprof's unit for a whole table: from the smallest nonzero row and the total. */
static const char *table_unit(const struct graph_result *result, const char *sample_unit)
{
    int64_t min_value = 0;
    for (size_t i = 0; i < result->row_count; i++) {
        int64_t v = abs_saturating(result->rows[i].flat);
        if (v == 0)
            v = abs_saturating(result->rows[i].cum);
        if (v > 0 && (min_value == 0 || v < min_value))
            min_value = v;
    }
    if (result->row_count == 0)
        return "minimum"; /* pprof then scales each value on its own */
    return units_report_unit(min_value, result->total, sample_unit);
}

static void print_table(const struct graph_result *result, const char *sample_unit, const char *unit)
{
    printf("%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
    int64_t flat_sum = 0;
    for (size_t i = 0; i < result->row_count; i++) {
        const struct graph_row *row = &result->rows[i];
        char flat[64], cum[64], flat_percent[32], sum_percent[32], cum_percent[32];
        flat_sum = add_saturating(flat_sum, row->flat);
        units_format(flat, sizeof flat, row->flat, sample_unit, unit);
        units_format(cum, sizeof cum, row->cum, sample_unit, unit);
        units_percentage(flat_percent, sizeof flat_percent, row->flat, result->total);
        units_percentage(sum_percent, sizeof sum_percent, flat_sum, result->total);
        units_percentage(cum_percent, sizeof cum_percent, row->cum, result->total);
        printf("%10s %s %s %10s %s  %s%s%s\n", flat, flat_percent, sum_percent, cum, cum_percent, row->name,
               row->inline_label[0] ? " " : "", row->inline_label);
    }
}

/* The header lines of pprof's text report, then the table. */
static void print_top(const struct profile *profile, const struct profile *base, long index,
                      const struct graph_result *result, const struct options *options, double node_fraction)
{
    const char *sample_unit = profile->types[index].unit;
    const char *unit = table_unit(result, sample_unit);
    char shown[64], total[64], percent[32], cutoff[64];
    report_print_labels(stdout, profile, base, index, result->total, unit);
    if (options->focus || options->ignore) {
        printf("Active filters:\n");
        if (options->focus)
            printf("   focus=%s\n", options->focus);
        if (options->ignore)
            printf("   ignore=%s\n", options->ignore);
    }
    units_format(shown, sizeof shown, result->flat_sum, sample_unit, unit);
    units_format(total, sizeof total, result->total, sample_unit, unit);
    units_percentage(percent, sizeof percent, result->flat_sum, result->total);
    printf("Showing nodes accounting for %s, %s of %s total\n", shown, percent + strspn(percent, " "), total);
    if (result->total != 0) {
        if (result->dropped_nodes > 0) {
            units_format(cutoff, sizeof cutoff,
                         abs_saturating(int64_from_double((double)result->total * node_fraction)),
                         sample_unit, unit);
            printf("Dropped %zu node%s (cum <= %s)\n", result->dropped_nodes,
                   result->dropped_nodes > 1 ? "s" : "", cutoff);
        }
        if (result->row_count > 0 && result->row_count < result->node_count_before_limit)
            printf("Showing top %zu nodes out of %zu\n", result->row_count, result->node_count_before_limit);
    }
    print_table(result, sample_unit, unit);
}

/* The sum of one sample index over a whole profile. */
static int64_t profile_total(const struct profile *profile, long index)
{
    int64_t total = 0;
    for (size_t s = 0; s < profile->sample_count; s++)
        total = add_saturating(total, profile->samples[s].values[index]);
    return total;
}

static int compare_growth(const void *a, const void *b)
{
    const struct stack_entry *x = *(const struct stack_entry *const *)a;
    const struct stack_entry *y = *(const struct stack_entry *const *)b;
    int64_t gx = add_saturating(x->values[1], negate_saturating(x->values[0]));
    int64_t gy = add_saturating(y->values[1], negate_saturating(y->values[0]));
    return gx > gy ? -1 : gx < gy;
}

/*
 * diff's second part: the whole stacks behind the biggest growth, merged by stack alone
 * (the table above keeps pprof's finer key, which tells samples apart by their labels).
 */
static void print_growing_stacks(const struct frame_table *frames, const struct profile *old, long old_index,
                                 const struct profile *new, long new_index)
{
    struct stack_set set;
    stack_set_init(&set, 2);
    for (size_t s = 0; s < old->sample_count; s++)
        stack_set_add(&set, old->samples[s].frames, old->samples[s].depth, 0, 0,
                      old->samples[s].values[old_index]);
    for (size_t s = 0; s < new->sample_count; s++)
        stack_set_add(&set, new->samples[s].frames, new->samples[s].depth, 0, 1,
                      new->samples[s].values[new_index]);
    const struct stack_entry **entries = xcalloc(set.count, sizeof *entries);
    for (size_t e = 0; e < set.count; e++)
        entries[e] = &set.entries[e];
    qsort(entries, set.count, sizeof *entries, compare_growth);
    size_t shown = 0;
    for (size_t i = 0; i < set.count && shown < DIFF_STACKS_SHOWN; i++) {
        int64_t growth = add_saturating(entries[i]->values[1], negate_saturating(entries[i]->values[0]));
        if (growth <= 0)
            break;
        if (shown++ == 0)
            printf("\nStacks that grew most (leaf < callers):\n");
        char value[64];
        units_format_signed(value, sizeof value, growth, new->types[new_index].unit);
        printf("%10s  ", value);
        report_print_stack_line(stdout, frames, entries[i]->frames, entries[i]->depth);
        putchar('\n');
    }
    if (shown == 0)
        printf("\nNo stack grew.\n");
    free(entries);
    stack_set_free(&set);
}

/* diff's first line: the totals of both sides. */
static void print_diff_summary(const struct report_input *in)
{
    long base_index = profile_sample_index(in->base, in->profile->types[in->index].type);
    const char *unit = in->profile->types[in->index].unit;
    int64_t old_sum = profile_total(in->base, base_index);
    int64_t new_sum = profile_total(in->profile, in->index);
    char old_total[64], new_total[64], change[64];
    units_format(old_total, sizeof old_total, old_sum, unit, "auto");
    units_format(new_total, sizeof new_total, new_sum, unit, "auto");
    units_format_signed(change, sizeof change, add_saturating(new_sum, negate_saturating(old_sum)), unit);
    printf("Diff: %s minus %s, %s: %s (%s -> %s)\n", in->profile->path, in->base->path,
           in->profile->types[in->index].type, change, old_total, new_total);
}

/* Shared by top and diff: PATHS are the profiles read (merged), BASE_PATH the optional base. */
static int run(char *const *paths, size_t count, const char *base_path, const struct options *options,
               bool diff)
{
    struct report_input in;
    struct stack_list list;
    if (!report_input_open(&in, paths, count, base_path, options) ||
        !stack_list_collect(&list, in.profile, in.index, in.base, &in.filter)) {
        report_input_close(&in);
        return 2;
    }
    double node_fraction = options->node_fraction_set ? options->node_fraction : DEFAULT_NODE_FRACTION;
    struct graph_options graph_options = {
            .node_fraction = node_fraction,
            .edge_fraction = DEFAULT_EDGE_FRACTION,
            .node_count = options->node_count,
            .order = diff           ? ORDER_GROWTH
                     : options->cum ? ORDER_CUM
                                    : ORDER_FLAT,
            .total = list.total,
    };
    struct graph_result result;
    graph_top(&in.frames, list.stacks, list.count, &graph_options, &result);
    if (diff)
        print_diff_summary(&in);
    print_top(in.profile, in.base, in.index, &result, options, node_fraction);
    if (diff)
        print_growing_stacks(&in.frames, in.base,
                             profile_sample_index(in.base, in.profile->types[in.index].type), in.profile,
                             in.index);
    graph_result_free(&result);
    stack_list_free(&list);
    report_input_close(&in);
    return 0;
}

int command_top(int argc, char **argv)
{
    struct options options;
    unsigned accepted = OPT_SAMPLE_INDEX | OPT_BASE | OPT_NODE_COUNT | OPT_CUM | OPT_FOCUS | OPT_IGNORE |
                        OPT_NODE_FRACTION | OPT_OLDER_THAN | OPT_TAG_FILTER;
    int status = command_begin("top", accepted, 1, 0, "one or more profiles", argc, argv, &options);
    if (status >= 0)
        return status;
    status = run(options.files, options.file_count, options.base, &options, false);
    free(options.files);
    return status;
}

int command_diff(int argc, char **argv)
{
    struct options options;
    unsigned accepted = OPT_SAMPLE_INDEX | OPT_NODE_COUNT | OPT_FOCUS | OPT_IGNORE | OPT_NODE_FRACTION | OPT_TAG_FILTER;
    int status = command_begin("diff", accepted, 2, 2, "OLD and NEW", argc, argv, &options);
    if (status >= 0)
        return status;
    status = run(&options.files[1], 1, options.files[0], &options, true);
    free(options.files);
    return status;
}
