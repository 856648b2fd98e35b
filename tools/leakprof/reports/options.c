/*
 * options.c — parsing of the options every command shares (options.h).
 */
#include "reports/options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/quantities.h"
#include "model/util.h"
#include "model/older_than.h"
#include "model/tag_filter.h"
#include "model/symbolize.h"

struct option_spec {
    const char *long_name;
    const char *short_name;
    unsigned flag;
    bool takes_value;
};

static const struct option_spec specs[] = {
        {"--sample-index", "-i", OPT_SAMPLE_INDEX, true},
        {"--base", NULL, OPT_BASE, true},
        {"--nodecount", "-n", OPT_NODE_COUNT, true},
        {"--cum", NULL, OPT_CUM, false},
        {"--focus", NULL, OPT_FOCUS, true},
        {"--ignore", NULL, OPT_IGNORE, true},
        {"--nodefraction", NULL, OPT_NODE_FRACTION, true},
        {"--max-bytes", NULL, OPT_MAX_BYTES, true},
        {"--max-objects", NULL, OPT_MAX_OBJECTS, true},
        {"--suppressions", NULL, OPT_SUPPRESSIONS, true},
        {"--source-path", NULL, OPT_SOURCE_PATH, true},
        {"--each", NULL, OPT_EACH, false},
        {"--output", "-o", OPT_OUTPUT, true},
        {"--older-than", NULL, OPT_OLDER_THAN, true},
        {"--tagfocus", NULL, OPT_TAG_FILTER, true},
        {"--tagignore", NULL, OPT_TAG_FILTER, true},
};

static bool usage_error(const char *command, const char *problem, const char *argument)
{
    fprintf(stderr, "leakprof %s: %s '%s' (see 'leakprof %s --help')\n", command, problem, argument, command);
    return false;
}

/* A size or duration (common/quantities.h) that fits the option's int64_t. */
static bool parse_quantity(bool (*parse)(const char *, uint64_t *), const char *text, int64_t *out)
{
    uint64_t value;
    if (!parse(text, &value) || value > INT64_MAX)
        return false;
    *out = (int64_t)value;
    return true;
}

static bool parse_count(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (end == text || *end || errno || value < 0)
        return false;
    *out = value;
    return true;
}

/* --tagfocus or --tagignore (NAME says which): checked now, applied as files are read. */
static bool apply_tag_filter(const char *command, const char *name, const char *value, struct options *options)
{
    char message[256];
    if (!tag_filter_valid(value, message, sizeof message)) {
        fprintf(stderr, "leakprof %s: bad %s '%s': %s (see 'leakprof %s --help')\n", command, name, value, message,
                command);
        return false;
    }
    bool focus = strncmp(name, "--tagfocus", 10) == 0;
    *(focus ? &options->tag_focus : &options->tag_ignore) = value;
    *(focus ? &tag_focus : &tag_ignore) = value;
    return true;
}

static bool apply(const char *command, unsigned flag, const char *value, struct options *options)
{
    int64_t number;
    switch (flag) {
    case OPT_SAMPLE_INDEX: options->sample_index = value; break;
    case OPT_BASE: options->base = value; break;
    case OPT_CUM: options->cum = true; break;
    case OPT_EACH: options->each = true; break;
    case OPT_FOCUS: options->focus = value; break;
    case OPT_IGNORE: options->ignore = value; break;
    case OPT_SUPPRESSIONS: options->suppressions = value; break;
    case OPT_SOURCE_PATH: options->source_path = value; break;
    case OPT_OUTPUT: options->output = value; break;
    case OPT_NODE_COUNT:
        if (!parse_count(value, &number))
            return usage_error(command, "bad node count", value);
        options->node_count = (size_t)number;
        options->node_count_set = true;
        break;
    case OPT_NODE_FRACTION: {
        char *end;
        options->node_fraction = strtod(value, &end);
        if (end == value || *end || !(options->node_fraction >= 0 && options->node_fraction <= 1))
            return usage_error(command, "bad node fraction (want 0 to 1)", value);
        options->node_fraction_set = true;
        break;
    }
    case OPT_MAX_BYTES:
        if (!parse_quantity(libleak_parse_size, value, &options->max_bytes))
            return usage_error(command, "bad byte count (want e.g. 1048576, 512k, 10MB)", value);
        break;
    case OPT_OLDER_THAN:
        if (!parse_quantity(libleak_parse_duration, value, &options->older_than))
            return usage_error(command, "bad duration (want e.g. 30s, 10m, 2h)", value);
        older_than_seconds = options->older_than;
        break;
    case OPT_MAX_OBJECTS:
        if (!parse_count(value, &options->max_objects))
            return usage_error(command, "bad object count", value);
        break;
    }
    return true;
}

bool options_parse(const char *command, unsigned accepted, int argc, char **argv, struct options *options)
{
    memset(options, 0, sizeof *options);
    options->max_bytes = options->max_objects = options->older_than = -1;
    options->files = xcalloc((size_t)argc + 1, sizeof *options->files);
    bool only_files = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (only_files || arg[0] != '-' || arg[1] == '\0') {
            options->files[options->file_count++] = argv[i];
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_files = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            options->help = true;
            continue;
        }
        /* Every command's, read where the profile model is built (model/symbolize.h). */
        if (strcmp(arg, "--no-symbolize") == 0) {
            symbolize_enabled = false;
            continue;
        }
        if (strncmp(arg, "--debug-dir", 11) == 0 && (arg[11] == '=' || (arg[11] == '\0' && i + 1 < argc))) {
            symbolize_add_debug_dir(arg[11] == '=' ? arg + 12 : argv[++i]);
            continue;
        }
        const struct option_spec *spec = NULL;
        const char *value = NULL;
        for (size_t s = 0; s < sizeof specs / sizeof specs[0] && !spec; s++) {
            size_t n = strlen(specs[s].long_name);
            if (strncmp(arg, specs[s].long_name, n) == 0 && (arg[n] == '\0' || arg[n] == '=')) {
                spec = &specs[s];
                value = arg[n] == '=' ? arg + n + 1 : NULL;
            } else if (specs[s].short_name && strcmp(arg, specs[s].short_name) == 0) {
                spec = &specs[s];
            }
        }
        bool ok = true;
        if (!spec || !(accepted & spec->flag))
            ok = usage_error(command, "unknown option", arg);
        else if (spec->takes_value && !value && i + 1 >= argc)
            ok = usage_error(command, "missing value for", arg);
        else if (!spec->takes_value && value)
            ok = usage_error(command, "option takes no value", arg);
        else if (spec->flag == OPT_TAG_FILTER)
            ok = apply_tag_filter(command, spec->long_name, !value ? argv[++i] : value, options);
        else
            ok = apply(command, spec->flag, spec->takes_value && !value ? argv[++i] : value, options);
        if (!ok) {
            free(options->files);
            options->files = NULL;
            return false;
        }
    }
    return true;
}
