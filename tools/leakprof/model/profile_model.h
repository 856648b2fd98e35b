/*
 * profile_model.h — the model leakprof's commands read: one decoded, checked pprof profile.
 *
 * profile_read.c turns a file (gzipped or plain profile.proto) into a `struct profile`;
 * every string index, id and count in the file has been checked by then, so the commands
 * never see a dangling reference. Stacks are not kept as pprof's location ids but as ids
 * of a `frame_table` (frames.h) that several profiles share: that is what lets `diff`,
 * `--base` and `growth` match the stacks of two runs by function names and lines instead of
 * by addresses, which differ from run to run.
 *
 * A stack is leaf first, like pprof's Sample.location_id, with a location's inlined lines
 * expanded innermost first — exactly the order `go tool pprof -traces` prints.
 */
#ifndef LEAKPROF_PROFILE_MODEL_H
#define LEAKPROF_PROFILE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/frames.h"

struct sample_type {
    const char *type; /* e.g. "inuse_space" */
    const char *unit; /* e.g. "bytes" */
};

struct sample_label {
    const char *key;
    const char *str; /* NULL for a numeric label */
    int64_t num;
    const char *unit; /* num_unit, "" when the file gives none */
};

struct sample {
    const uint32_t *frames; /* frame ids, leaf first */
    uint32_t depth;
    const int64_t *values; /* one per sample type */
    const struct sample_label *labels;
    size_t label_count;
    uint64_t address_key; /* hash of the locations' addresses: tells apart two
                                       call sites that read the same (traces merges by it) */
};

struct profile {
    const char *path; /* as named on the command line, for messages */

    struct sample_type *types;
    size_t type_count;
    size_t default_type;           /* index into types; 0 when there are none */
    const char *default_type_name; /* as the file names it, "" when it names none */

    const char *period_type, *period_unit; /* "" when absent */
    int64_t period;
    int64_t time_nanos, duration_nanos;
    const char **comments;
    size_t comment_count;
    const char *main_file, *main_build_id; /* of the first mapping, "" when absent */
    const char *drop_frames, *keep_frames; /* pprof's regexes, "" when absent; applied */

    struct sample *samples;
    size_t sample_count;
    /* Samples that --tagfocus/--tagignore took out, after the sample_count kept: what
       percentages are of still counts them, as pprof's total does (reports/stack_list.c). */
    size_t filtered_count;

    /* Counts as found in the file, for `info`. */
    size_t mapping_count, location_count, function_count, string_count;

    void *storage; /* the decoded message and arrays; owned */

    /* A merge of several files (profile_merge.c) owns them; their samples are its own. */
    struct profile **parts;
    size_t part_count;
    bool owned_path; /* path was allocated for this profile (a glob match, a merge's name) */
};

/* Exit status of every command for a file it cannot read, and for bad usage. */
#define EXIT_BAD_INPUT 2

/*
 * Reads and checks PATH, interning its frames into FRAMES. On failure prints one line
 * "leakprof: PATH: problem" on stderr and returns NULL.
 */
struct profile *profile_load(const char *path, struct frame_table *frames);

/* Same, from bytes already in memory (the fuzz target's entry point). */
struct profile *profile_load_bytes(const char *path, const uint8_t *data, size_t size,
                                   struct frame_table *frames);

void profile_free(struct profile *profile);

/*
 * The profiles named by ARGS as one, as `go tool pprof A B C` reads them (profile_merge.c):
 * each argument is a file, or a quoted glob pattern ("workers-*.pb.gz") that no file is
 * named after, standing for every file it matches. One file is returned as read; several
 * are merged. NULL after the message when a file cannot be read, a glob matches nothing or
 * the files' sample types differ.
 */
struct profile *profile_load_all(char *const *args, size_t count, struct frame_table *frames);

/*
 * Merges PARTS (COUNT >= 1, taken over: freed with the result) as pprof's profile.Merge
 * does: the sample types must be equal, in order (else NULL after the message, PARTS
 * freed); samples are kept one by one (equal stacks sum where a command aggregates);
 * the header is pprof's combination: the earliest time, the summed durations, the largest
 * period, every distinct comment once, the first default type named, the main binary of
 * the first file that names one. NAME is what messages call the result.
 */
struct profile *profile_merge(struct profile **parts, size_t count, const char *name);

/*
 * Resolves a --sample-index argument (a type name such as "inuse_space" or a position) to
 * an index into profile->types; NULL means the file's default. Prints the error line and
 * returns -1 when it names nothing in the file.
 */
long profile_sample_index(const struct profile *profile, const char *name);

#endif
