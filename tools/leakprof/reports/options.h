/*
 * options.h — the command line of every leakprof command, parsed one way.
 *
 * Each command names the options it accepts; options may come before or after the file
 * names, as "--name value" or "--name=value". An option a command does not take, a missing
 * value or a bad number is a usage error: one line on stderr and exit status 2.
 */
#ifndef LEAKPROF_OPTIONS_H
#define LEAKPROF_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    OPT_SAMPLE_INDEX = 1 << 0,
    OPT_BASE = 1 << 1,
    OPT_NODE_COUNT = 1 << 2,
    OPT_CUM = 1 << 3,
    OPT_FOCUS = 1 << 4,
    OPT_IGNORE = 1 << 5,
    OPT_NODE_FRACTION = 1 << 6,
    OPT_MAX_BYTES = 1 << 7,
    OPT_MAX_OBJECTS = 1 << 8,
    OPT_SUPPRESSIONS = 1 << 9,
    OPT_SOURCE_PATH = 1 << 10,
    OPT_EACH = 1 << 13,   /* check --each: one verdict per argument instead of one for the merge */
    OPT_OUTPUT = 1 << 15, /* html's -o FILE; a high bit, away from the other commands' */
    OPT_OLDER_THAN = 1 << 11,
    OPT_TAG_FILTER = 1 << 12, /* --tagfocus and --tagignore (model/tag_filter.h) */
};

struct options {
    const char *sample_index; /* NULL: the file's default */
    const char *base;
    size_t node_count; /* 0: all */
    bool node_count_set;
    bool cum;
    const char *focus, *ignore;
    double node_fraction;
    bool node_fraction_set;
    int64_t max_bytes, max_objects; /* -1: no limit */
    const char *suppressions;
    bool each;               /* check: gate every argument on its own */
    const char *source_path; /* list: where to look for source files, ':'-separated */
    const char *output;      /* -o FILE; NULL: the command's default */
    int64_t older_than;      /* seconds; -1: every sample */
    const char *tag_focus, *tag_ignore; /* NULL: not given */
    bool help;
    char **files;
    size_t file_count;
};

/*
 * Parses ARGV (the command's arguments, without the command name). Returns false after a
 * usage message naming COMMAND (and then owns nothing).
 */
bool options_parse(const char *command, unsigned accepted, int argc, char **argv, struct options *options);

#endif
