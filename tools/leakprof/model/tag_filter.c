/*
 * tag_filter.c — --tagfocus and --tagignore (tag_filter.h).
 */
#include "model/tag_filter.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/pattern.h"
#include "model/util.h"

const char *tag_focus, *tag_ignore;

#define MAX_EXPRESSIONS 16

struct bound {
    bool set;
    double value;
    char unit[24];
};

struct filter {
    char key[128]; /* "" matches any key */
    bool numeric;
    struct bound low, high;
    regex_t expressions[MAX_EXPRESSIONS];
    size_t expression_count;
};

enum family { RAW, TIME, SIZE };

static const struct unit {
    const char *name;
    enum family family;
    double factor; /* nanoseconds or bytes */
} units[] = {
        {"ns", TIME, 1},          {"nanosecond", TIME, 1},      {"nanoseconds", TIME, 1},
        {"us", TIME, 1e3},        {"µs", TIME, 1e3},            {"microsecond", TIME, 1e3},
        {"microseconds", TIME, 1e3}, {"ms", TIME, 1e6},          {"millisecond", TIME, 1e6},
        {"milliseconds", TIME, 1e6}, {"s", TIME, 1e9},           {"sec", TIME, 1e9},
        {"second", TIME, 1e9},    {"seconds", TIME, 1e9},       {"m", TIME, 60e9},
        {"min", TIME, 60e9},      {"minute", TIME, 60e9},       {"minutes", TIME, 60e9},
        {"h", TIME, 3600e9},      {"hour", TIME, 3600e9},       {"hours", TIME, 3600e9},
        {"d", TIME, 86400e9},     {"day", TIME, 86400e9},       {"days", TIME, 86400e9},
        {"b", SIZE, 1},           {"byte", SIZE, 1},            {"bytes", SIZE, 1},
        {"k", SIZE, 1024.0},      {"kb", SIZE, 1024.0},         {"kib", SIZE, 1024.0},
        {"m", SIZE, 1048576.0},   {"mb", SIZE, 1048576.0},      {"mib", SIZE, 1048576.0},
        {"g", SIZE, 1073741824.0}, {"gb", SIZE, 1073741824.0},  {"gib", SIZE, 1073741824.0},
        {"t", SIZE, 1099511627776.0}, {"tb", SIZE, 1099511627776.0}, {"tib", SIZE, 1099511627776.0},
};

/* The factor of UNIT in FAMILY; 0 when it is not one of that family's. */
static double factor_of(const char *unit, enum family family)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (units[i].family == family && strcasecmp(units[i].name, unit) == 0)
            return units[i].factor;
    return 0;
}

/* A label's family: that of its unit, or bytes for a label named "bytes" without one. */
static enum family family_of(const struct sample_label *label)
{
    if (factor_of(label->unit, TIME))
        return TIME;
    if (factor_of(label->unit, SIZE) || (!*label->unit && strcmp(label->key, "bytes") == 0))
        return SIZE;
    return RAW;
}

/* "12", "1.5ms", "4k": a number and an optional unit; TEXT ends at END. */
static bool parse_bound(const char *text, const char *end, struct bound *bound)
{
    if (text == end)
        return true; /* left out */
    char *after;
    bound->value = strtod(text, &after);
    if (after == text || after > end)
        return false;
    size_t length = (size_t)(end - after);
    if (length >= sizeof bound->unit)
        return false;
    for (const char *c = after; c < end; c++)
        if (!isalpha((unsigned char)*c) && (unsigned char)*c < 0x80)
            return false;
    memcpy(bound->unit, after, length);
    bound->unit[length] = '\0';
    bound->set = true;
    return true;
}

/* Parses SPEC into FILTER; false with a reason in MESSAGE. */
static bool parse(const char *spec, struct filter *filter, char *message, size_t size)
{
    memset(filter, 0, sizeof *filter);
    const char *equals = strchr(spec, '=');
    const char *value = spec;
    if (equals) {
        size_t length = (size_t)(equals - spec);
        if (length == 0 || length >= sizeof filter->key) {
            snprintf(message, size, "bad label name");
            return false;
        }
        memcpy(filter->key, spec, length);
        value = equals + 1;
    }
    const char *colon = strchr(value, ':');
    const char *end = value + strlen(value);
    struct filter numeric = *filter;
    bool is_range = *value &&
                    (colon ? parse_bound(value, colon, &numeric.low) && parse_bound(colon + 1, end, &numeric.high) &&
                                     !strchr(colon + 1, ':') && (numeric.low.set || numeric.high.set)
                           : parse_bound(value, end, &numeric.low));
    if (is_range) {
        if (!colon)
            numeric.high = numeric.low; /* an exact value */
        numeric.numeric = true;
        *filter = numeric;
        return true;
    }
    char *copy = xstrdup(value);
    bool ok = true;
    for (char *saved, *part = strtok_r(copy, ",", &saved); part && ok; part = strtok_r(NULL, ",", &saved)) {
        if (filter->expression_count == MAX_EXPRESSIONS) {
            snprintf(message, size, "more than %d expressions", MAX_EXPRESSIONS);
            ok = false;
        } else {
            ok = pattern_compile(&filter->expressions[filter->expression_count], part, message, size);
            filter->expression_count += ok;
        }
    }
    free(copy);
    if (ok && filter->expression_count == 0) {
        snprintf(message, size, "no value to match");
        ok = false;
    }
    return ok;
}

static void release(struct filter *filter)
{
    for (size_t i = 0; i < filter->expression_count; i++)
        regfree(&filter->expressions[i]);
}

bool tag_filter_valid(const char *spec, char *message, size_t size)
{
    struct filter filter;
    if (!parse(spec, &filter, message, size))
        return false;
    release(&filter);
    return true;
}

/* A bound in the label's unit: scaled through the family, or as it is without a unit. */
static bool within(const struct sample_label *label, const struct filter *filter)
{
    enum family family = family_of(label);
    double value = (double)label->num * (family == RAW ? 1 : factor_of(*label->unit ? label->unit : "b", family));
    const struct bound *bounds[2] = {&filter->low, &filter->high};
    double limits[2];
    for (int i = 0; i < 2; i++) {
        if (!bounds[i]->set)
            continue;
        /* A unit of another family matches nothing, and so does a bound without unit against a
           label with one: pprof's rules. */
        double factor = *bounds[i]->unit ? factor_of(bounds[i]->unit, family) : family == RAW ? 1 : 0;
        if (factor == 0)
            return false;
        limits[i] = bounds[i]->value * factor;
    }
    return (!filter->low.set || value >= limits[0]) && (!filter->high.set || value <= limits[1]);
}

static bool matches(const struct sample *sample, const struct filter *filter)
{
    for (size_t l = 0; l < sample->label_count; l++) {
        const struct sample_label *label = &sample->labels[l];
        if (*filter->key && strcmp(label->key, filter->key) != 0)
            continue;
        if (filter->numeric && !label->str && within(label, filter))
            return true;
        if (!filter->numeric && label->str)
            for (size_t i = 0; i < filter->expression_count; i++)
                if (pattern_matches(&filter->expressions[i], label->str))
                    return true;
    }
    return false;
}

void tag_filter_apply(struct profile *profile)
{
    struct filter focus, ignore;
    char message[256];
    bool has_focus = tag_focus && parse(tag_focus, &focus, message, sizeof message);
    bool has_ignore = tag_ignore && parse(tag_ignore, &ignore, message, sizeof message);
    /* Kept first, then the others (percentages are still of them all, as pprof's). */
    struct sample *out = xcalloc(profile->sample_count + 1, sizeof *out);
    size_t kept = 0, dropped = 0;
    for (size_t s = 0; s < profile->sample_count; s++) {
        const struct sample *sample = &profile->samples[s];
        bool keep = !(has_focus && !matches(sample, &focus)) && !(has_ignore && matches(sample, &ignore));
        if (keep)
            profile->samples[kept++] = *sample;
        else
            out[dropped++] = *sample;
    }
    memcpy(profile->samples + kept, out, dropped * sizeof *out);
    free(out);
    profile->sample_count = kept;
    profile->filtered_count = dropped;
    if (has_focus)
        release(&focus);
    if (has_ignore)
        release(&ignore);
}
