/*
 * report_input.h — loading what a report reads: the profiles (a quoted glob is the merge of
 * its files), perhaps a base, the sample index chosen by --sample-index and the
 * --focus/--ignore filter.
 */
#ifndef LEAKPROF_REPORT_INPUT_H
#define LEAKPROF_REPORT_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "reports/options.h"
#include "model/frames.h"
#include "model/profile_model.h"
#include "reports/frame_filter.h"

/* What top, diff, traces, folded and list start from. */
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
