/*
 * report.h — what the commands share between reading the profiles and printing: choosing
 * the sample index, the --focus/--ignore filter, turning samples (minus a base) into
 * weighted stacks, and pprof's header lines.
 */
#ifndef LEAKPROF_REPORT_H
#define LEAKPROF_REPORT_H

#include <regex.h>
#include <stdbool.h>
#include <stdio.h>

#include "reports/graph.h"
#include "commands/options.h"
#include "model/profile_model.h"
#include "model/stackset.h"

/* pprof's --focus and --ignore: POSIX extended regexes on function and file names. */
struct frame_filter {
    const struct frame_table *frames;
    regex_t focus, ignore;
    bool has_focus, has_ignore;
    signed char *cache; /* per frame id: 0 unknown, 1/2 focus, 4/8 ignore */
};

bool filter_init(struct frame_filter *filter, const struct frame_table *frames, const char *focus,
                 const char *ignore);
void filter_free(struct frame_filter *filter);
bool filter_keeps(struct frame_filter *filter, const uint32_t *frames, uint32_t depth);

/*
 * A hash of a sample's labels, independent of their order: with the stack, the key by
 * which pprof merges samples (a base into a profile, or equal samples of one profile).
 */
uint64_t sample_labels_tag(const struct sample *sample);

/* The weighted stacks of one sample index of PROFILE, minus BASE's when BASE is given. */
struct stack_list {
    struct weighted_stack *stacks;
    size_t count;
    int64_t total;           /* sum of |value| before --focus/--ignore, as pprof */
    struct stack_set merged; /* holds the entries when a base was subtracted */
};

/*
 * Fills LIST. With a base the stacks are merged by content (stackset.h) and the base is
 * subtracted; without one there is one stack per sample, as pprof reads them. Returns
 * false (after the message) when BASE lacks the sample type.
 */
bool stack_list_collect(struct stack_list *list, const struct profile *profile, long index,
                        const struct profile *base, struct frame_filter *filter);
void stack_list_free(struct stack_list *list);

/*
 * pprof's header lines: File, Build ID, comments, Type, Time, Duration. TOTAL and
 * OUTPUT_UNIT are the report's (Duration prints the total). With a BASE (or NULL), the
 * header of pprof's merge of the two: both files' comments once each, the earlier time,
 * the sum of the durations.
 */
void report_print_labels(FILE *out, const struct profile *profile, const struct profile *base, long index,
                         int64_t total, const char *output_unit);

/*
 * "leaf:line < caller:line < …", the one-line form of a stack for diff, growth and check;
 * the lines tell apart two allocation sites in one function. Long stacks are cut.
 */
void report_print_stack_line(FILE *out, const struct frame_table *frames, const uint32_t *stack,
                             uint32_t depth);

/*
 * What top, diff, traces and folded start from: a profile, perhaps a base, the sample
 * index chosen by --sample-index and the --focus/--ignore filter.
 */
struct report_input {
    struct frame_table frames;
    struct profile *profile, *base;
    long index;
    struct frame_filter filter;
    bool filter_ready;
};

/*
 * Loads PATHS (several are merged, profile_load_all) and the optional base (a file or a
 * quoted glob) and prepares; false after the message (then close it all the same).
 */
bool report_input_open(struct report_input *input, char *const *paths, size_t count, const char *base_path,
                       const struct options *options);
void report_input_close(struct report_input *input);

/*
 * Loads every argument as a profile of its own (a quoted glob is the merge of its matches);
 * on failure frees what was loaded and returns false.
 */
bool load_profiles(char **paths, size_t count, struct frame_table *frames, struct profile **out);
void free_profiles(struct profile **profiles, size_t count);

#endif
