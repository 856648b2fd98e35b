/*
 * report.c — the pieces between a loaded profile and a command's output (report.h).
 */
#include "reports/report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reports/units.h"
#include "common/hash.h"
#include "model/util.h"

/* ---- --focus / --ignore ---- */

static bool compile(regex_t *re, const char *pattern, const char *option)
{
    int status = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
    if (status != 0) {
        char message[256];
        regerror(status, re, message, sizeof message);
        fprintf(stderr, "leakprof: bad %s regular expression '%s': %s\n", option, pattern, message);
        return false;
    }
    return true;
}

bool filter_init(struct frame_filter *filter, const struct frame_table *frames, const char *focus,
                 const char *ignore)
{
    memset(filter, 0, sizeof *filter);
    filter->frames = frames;
    if (focus) {
        if (!compile(&filter->focus, focus, "--focus"))
            return false;
        filter->has_focus = true;
    }
    if (ignore) {
        if (!compile(&filter->ignore, ignore, "--ignore")) {
            filter_free(filter);
            return false;
        }
        filter->has_ignore = true;
    }
    filter->cache = xcalloc(frames->count, 1);
    return true;
}

void filter_free(struct frame_filter *filter)
{
    if (filter->has_focus)
        regfree(&filter->focus);
    if (filter->has_ignore)
        regfree(&filter->ignore);
    free(filter->cache);
    memset(filter, 0, sizeof *filter);
}

/* pprof matches a frame by its function name or its file name. */
static bool frame_matches(const regex_t *re, const struct frame *frame)
{
    return regexec(re, frame->name, 0, NULL, 0) == 0 ||
           (frame->file[0] && regexec(re, frame->file, 0, NULL, 0) == 0);
}

static int frame_verdict(struct frame_filter *filter, uint32_t id)
{
    if (!filter->cache[id]) {
        const struct frame *frame = frame_get(filter->frames, id);
        int verdict = 0;
        verdict |= filter->has_focus && frame_matches(&filter->focus, frame) ? 1 : 2;
        verdict |= filter->has_ignore && frame_matches(&filter->ignore, frame) ? 4 : 8;
        filter->cache[id] = (signed char)verdict;
    }
    return filter->cache[id];
}

/* A stack is kept when some frame matches --focus and none matches --ignore. */
bool filter_keeps(struct frame_filter *filter, const uint32_t *frames, uint32_t depth)
{
    if (!filter || (!filter->has_focus && !filter->has_ignore))
        return true;
    bool focused = !filter->has_focus;
    for (uint32_t i = 0; i < depth; i++) {
        int verdict = frame_verdict(filter, frames[i]);
        if (verdict & 4)
            return false;
        if (verdict & 1)
            focused = true;
    }
    /* pprof drops a stack with no frames as soon as any filter is active. */
    return focused && depth > 0;
}

/* ---- samples to weighted stacks ---- */

/*
 * pprof merges a base into a profile sample by sample, keeping apart samples whose labels
 * differ (a heap profile's "bytes" label, for one); the tag reproduces that key. The sum of
 * the labels' hashes does not depend on their order.
 */
uint64_t sample_labels_tag(const struct sample *sample)
{
    uint64_t tag = 0;
    for (size_t i = 0; i < sample->label_count; i++) {
        const struct sample_label *label = &sample->labels[i];
        uint64_t h = libleak_hash_bytes(LIBLEAK_FNV_OFFSET_BASIS, label->key, strlen(label->key) + 1);
        if (label->str)
            h = libleak_hash_bytes(h, label->str, strlen(label->str) + 1);
        h = libleak_hash_bytes(h, &label->num, sizeof label->num);
        tag += libleak_hash_bytes(h, label->unit, strlen(label->unit));
    }
    return tag;
}

bool stack_list_collect(struct stack_list *list, const struct profile *profile, long index,
                        const struct profile *base, struct frame_filter *filter)
{
    memset(list, 0, sizeof *list);
    if (!base) {
        list->stacks = xcalloc(profile->sample_count, sizeof *list->stacks);
        for (size_t s = 0; s < profile->sample_count; s++) {
            const struct sample *sample = &profile->samples[s];
            int64_t value = sample->values[index];
            list->total = add_saturating(list->total, abs_saturating(value));
            if (filter_keeps(filter, sample->frames, sample->depth))
                list->stacks[list->count++] = (struct weighted_stack){sample->frames, sample->depth, value};
        }
        return true;
    }
    long base_index = profile_sample_index(base, profile->types[index].type);
    if (base_index < 0)
        return false;
    stack_set_init(&list->merged, 1);
    for (size_t s = 0; s < base->sample_count; s++) {
        const struct sample *sample = &base->samples[s];
        stack_set_add(&list->merged, sample->frames, sample->depth, sample_labels_tag(sample), 0,
                      negate_saturating(sample->values[base_index]));
    }
    for (size_t s = 0; s < profile->sample_count; s++) {
        const struct sample *sample = &profile->samples[s];
        stack_set_add(&list->merged, sample->frames, sample->depth, sample_labels_tag(sample), 0,
                      sample->values[index]);
    }
    list->stacks = xcalloc(list->merged.count, sizeof *list->stacks);
    for (size_t e = 0; e < list->merged.count; e++) {
        const struct stack_entry *entry = &list->merged.entries[e];
        list->total = add_saturating(list->total, abs_saturating(entry->values[0]));
        if (filter_keeps(filter, entry->frames, entry->depth))
            list->stacks[list->count++] =
                    (struct weighted_stack){entry->frames, entry->depth, entry->values[0]};
    }
    return true;
}

void stack_list_free(struct stack_list *list)
{
    free(list->stacks);
    stack_set_free(&list->merged);
    memset(list, 0, sizeof *list);
}

/* ---- header lines ---- */

/* Enough callers to place an allocation; the rest would wrap the line. */
#define STACK_LINE_FRAMES 8

static bool comment_printed(const struct profile *profile, const struct profile *base, size_t profile_index,
                            size_t index)
{
    const char *comment = (profile_index ? base : profile)->comments[index];
    for (size_t p = 0; p <= profile_index; p++) {
        const struct profile *earlier = p ? base : profile;
        size_t end = p == profile_index ? index : earlier->comment_count;
        for (size_t i = 0; i < end; i++)
            if (strcmp(earlier->comments[i], comment) == 0)
                return true;
    }
    return false;
}

void report_print_labels(FILE *out, const struct profile *profile, const struct profile *base, long index,
                         int64_t total, const char *output_unit)
{
    if (profile->main_file[0]) {
        const char *slash = strrchr(profile->main_file, '/');
        fprintf(out, "File: %s\n", slash && slash[1] ? slash + 1 : profile->main_file);
    }
    if (profile->main_build_id[0])
        fprintf(out, "Build ID: %s\n", profile->main_build_id);
    int64_t time_nanos = profile->time_nanos, duration_nanos = profile->duration_nanos;
    if (base) {
        /* pprof's combineHeaders, quirk included: a zero time is "earlier" too. */
        if (time_nanos == 0 || base->time_nanos < time_nanos)
            time_nanos = base->time_nanos;
        duration_nanos = add_saturating(duration_nanos, base->duration_nanos);
    }
    for (size_t p = 0; p < (base ? 2u : 1u); p++) {
        const struct profile *from = p ? base : profile;
        for (size_t i = 0; i < from->comment_count; i++)
            if (from->comments[i][0] != '#' && !comment_printed(profile, base, p, i))
                fprintf(out, "%s\n", from->comments[i]);
    }
    fprintf(out, "Type: %s\n", profile->types[index].type);
    if (time_nanos != 0) {
        /* Go's layout "Jan 2, 2006 at 3:04pm (MST)", in local time like pprof. */
        time_t seconds = (time_t)(time_nanos / 1000000000);
        if (time_nanos < 0 && time_nanos % 1000000000)
            seconds--;
        struct tm tm;
        char when[128];
        if (localtime_r(&seconds, &tm) && strftime(when, sizeof when, "%b %-d, %Y at %-I:%M%P (%Z)", &tm))
            fprintf(out, "Time: %s\n", when);
    }
    if (duration_nanos != 0) {
        char duration[64], total_text[64], ratio[64] = "";
        const char *unit;
        units_format(duration, sizeof duration, duration_nanos, "nanoseconds", "auto");
        units_format(total_text, sizeof total_text, total, profile->types[index].unit, output_unit);
        double nanos = units_scale(total, profile->types[index].unit, "nanoseconds", &unit);
        if (strcmp(unit, "ns") == 0 && nanos != 0) {
            char percent[32];
            units_percentage(percent, sizeof percent, int64_from_double(nanos), duration_nanos);
            snprintf(ratio, sizeof ratio, "(%s)", percent);
        }
        fprintf(out, "Duration: %s, Total samples = %s %s\n", duration, total_text, ratio);
    }
}

void report_print_stack_line(FILE *out, const struct frame_table *frames, const uint32_t *stack,
                             uint32_t depth)
{
    if (depth == 0)
        fputs("<no frames>", out);
    for (uint32_t i = 0; i < depth && i < STACK_LINE_FRAMES; i++) {
        const struct frame *frame = frame_get(frames, stack[i]);
        fprintf(out, "%s%s", i ? " < " : "", frame->name);
        if (frame->line > 0)
            fprintf(out, ":%lld", (long long)frame->line);
    }
    if (depth > STACK_LINE_FRAMES)
        fprintf(out, " < ... (%u more)", depth - STACK_LINE_FRAMES);
}

bool report_input_open(struct report_input *input, char *const *paths, size_t count, const char *base_path,
                       const struct options *options)
{
    memset(input, 0, sizeof *input);
    frame_table_init(&input->frames);
    input->profile = profile_load_all(paths, count, &input->frames);
    char *base_arg[1] = {(char *)base_path};
    if (!input->profile || (base_path && !(input->base = profile_load_all(base_arg, 1, &input->frames))))
        return false;
    input->index = profile_sample_index(input->profile, options->sample_index);
    if (input->index < 0 || !filter_init(&input->filter, &input->frames, options->focus, options->ignore))
        return false;
    input->filter_ready = true;
    return true;
}

void report_input_close(struct report_input *input)
{
    if (input->filter_ready)
        filter_free(&input->filter);
    profile_free(input->profile);
    profile_free(input->base);
    frame_table_free(&input->frames);
}

bool load_profiles(char **paths, size_t count, struct frame_table *frames, struct profile **out)
{
    for (size_t i = 0; i < count; i++) {
        out[i] = profile_load_all(&paths[i], 1, frames);
        if (!out[i]) {
            free_profiles(out, i);
            return false;
        }
    }
    return true;
}

void free_profiles(struct profile **profiles, size_t count)
{
    for (size_t i = 0; i < count; i++)
        profile_free(profiles[i]);
}
