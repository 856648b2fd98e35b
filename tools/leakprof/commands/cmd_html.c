/*
 * cmd_html.c — `leakprof html [-o FILE] [--sample-index NAME] [--base OLD] PROFILE...`: one
 * self-contained HTML file to look at, offline, anywhere: a flame graph of one snapshot, the
 * difference from a base, and for a series of snapshots of one process the timeline of the
 * in-use total and of the stacks that grow, with the ranking of `leakprof growth`.
 *
 * The page itself (layout, style, scripts) is hand-written in tools/leakprof/html/ and
 * embedded at build time (html/embed.c); this file only computes the data and writes it into
 * the page as one JSON document. The page does the drawing, so that zooming, searching and
 * choosing a snapshot need no server.
 *
 * The data is compact on purpose (a 10 000-stack profile must stay well under 2 MB):
 *   strings   every distinct function and file name once;
 *   frames    [name, file, line] triples flattened, indexes into strings;
 *   stacks    the distinct stacks (merged by content over all files, stackset.h), sorted
 *             root first and each written as [shared, count, frames...]: the number of root
 *             frames it shares with the stack before it, then its own remaining frames;
 *   series    per snapshot, the value of each stack; base: the same for --base;
 *   growth    [stack, growth, steps] as `leakprof growth` ranks them (growth.h);
 *   scales    for the sample type's unit and for bytes, units.c's units and their sizes, so
 *             that the page prints numbers as leakprof does without a table of its own;
 *   lifetimes of the last snapshot, `leakprof lifetimes`'s rows (reports/lifetimes.h):
 *             [site, alloc bytes, blocks, bytes freed within 1 ms, within 1 s, in use, median];
 *   threads   of the last snapshot, [name, value] of the sample type per "thread" label,
 *             largest first (samples without one under "").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "common/hash.h"
#include "common/profile_comments.h"
#include "reports/growth.h"
#include "reports/lifetimes.h"
#include "reports/process_memory.h"
#include "reports/report.h"
#include "reports/units.h"
#include "model/util.h"

/* The page's parts, embedded by the build from tools/leakprof/html/. */
extern const char report_html[], report_css[], report_js[];
extern const size_t report_html_size, report_css_size, report_js_size;

#define DEFAULT_OUTPUT "leakprof.html"

/* Writes S as a JSON string that is also safe inside an HTML <script> element. */
static void json_string(FILE *out, const char *s)
{
    putc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\u%04x", c);
        /* '<' and '>' escaped: no "</script>" nor "<!--" can end or hide the data block. */
        else if (c == '<' || c == '>' || c == '&')
            fprintf(out, "\\u%04x", c);
        /* U+2028 and U+2029 are line breaks to older JavaScript parsers. */
        else if (c == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
            fprintf(out, "\\u%04x", p[2] == 0xa8 ? 0x2028 : 0x2029);
            p += 2;
        } else
            putc(c, out);
    }
    putc('"', out);
}

/* Distinct strings, by content (names from several files are different pointers). */
struct string_table {
    const char **strings;
    size_t count, capacity;
    struct libleak_id_map ids; /* a string's hash -> its index + 1 */
};

static bool same_string(const void *owner, uint32_t id, const void *s)
{
    return strcmp(((const struct string_table *)owner)->strings[id - 1], s) == 0;
}

static uint32_t string_intern(struct string_table *table, const char *s)
{
    uint64_t hash = libleak_hash_string(s);
    id_map_reserve(&table->ids);
    uint64_t slot = libleak_id_map_slot(&table->ids, hash, same_string, table, s);
    if (table->ids.ids[slot])
        return table->ids.ids[slot] - 1;
    if (table->count == table->capacity) {
        table->capacity = table->capacity ? table->capacity * 2 : 256;
        table->strings = xreallocarray(table->strings, table->capacity, sizeof *table->strings);
    }
    table->strings[table->count++] = s;
    libleak_id_map_set(&table->ids, slot, hash, (uint32_t)table->count);
    return (uint32_t)table->count - 1;
}

/* "UNIT":{"factor":F,"units":[[NAME,SIZE],...],"fallback":[NAME,SIZE]}, or "UNIT":null for
   a unit printed as bare numbers: units.c's scaling, for html/format.js. */
static void write_unit_scale(FILE *out, const char *unit)
{
    struct units_step steps[16], fallback;
    double factor;
    size_t count = units_steps(unit, &factor, steps, sizeof steps / sizeof steps[0], &fallback);
    json_string(out, unit);
    if (!count) {
        fputs(":null", out);
        return;
    }
    fprintf(out, ":{\"factor\":%.17g,\"units\":[", factor);
    for (size_t i = 0; i < count; i++) {
        fputs(i ? ",[" : "[", out);
        json_string(out, steps[i].name);
        fprintf(out, ",%.17g]", steps[i].size);
    }
    fputs("],\"fallback\":[", out);
    json_string(out, fallback.name);
    fprintf(out, ",%.17g]}", fallback.size);
}

static const struct frame_table *order_frames;

/* Root first, by function name, then file and line: the order a flame graph draws. */
static int compare_entries_root_first(const void *a, const void *b)
{
    const struct stack_entry *x = *(const struct stack_entry *const *)a,
                             *y = *(const struct stack_entry *const *)b;
    for (uint32_t i = 0; i < x->depth && i < y->depth; i++) {
        uint32_t fx = x->frames[x->depth - 1 - i], fy = y->frames[y->depth - 1 - i];
        if (fx == fy)
            continue;
        const struct frame *gx = frame_get(order_frames, fx), *gy = frame_get(order_frames, fy);
        int c = strcmp(gx->name, gy->name);
        if (!c)
            c = strcmp(gx->file, gy->file);
        if (!c)
            c = (gx->line > gy->line) - (gx->line < gy->line);
        if (!c)
            c = (gx->inlined > gy->inlined) - (gx->inlined < gy->inlined);
        if (c)
            return c;
    }
    return (x->depth > y->depth) - (x->depth < y->depth);
}

/*
 * libleak's comment of samples taken and dropped (common/profile_comments.h), summed over the
 * parts of a merge (whose own comments hold each distinct line once).
 */
static bool libleak_counts(const struct profile *profile, unsigned long long *taken,
                           unsigned long long *dropped)
{
    bool found = false;
    *taken = *dropped = 0;
    if (profile->part_count) {
        for (size_t p = 0; p < profile->part_count; p++) {
            unsigned long long part_taken, part_dropped;
            if (libleak_counts(profile->parts[p], &part_taken, &part_dropped)) {
                found = true;
                *taken += part_taken;
                *dropped += part_dropped;
            }
        }
        return found;
    }
    for (size_t i = 0; i < profile->comment_count; i++) {
        struct libleak_samples_comment samples;
        if (libleak_comment_read_samples(profile->comments[i], &samples)) {
            *taken = samples.taken;
            *dropped = samples.dropped_stacks + samples.dropped_live;
            return true;
        }
    }
    return false;
}

static void write_libleak_counts(FILE *out, const struct profile *profile)
{
    unsigned long long taken, dropped;
    if (libleak_counts(profile, &taken, &dropped))
        fprintf(out, ",\"taken\":%llu,\"dropped\":%llu", taken, dropped);
    /* Resident memory and glibc's view, beside the estimate: fragmentation is not a leak. */
    struct process_memory memory;
    process_memory_read(profile, &memory);
    if (memory.has_resident)
        fprintf(out, ",\"resident\":%" PRId64, memory.resident);
    if (memory.has_allocator)
        fprintf(out, ",\"allocatorInUse\":%" PRId64 ",\"allocatorFree\":%" PRId64, memory.allocator_in_use,
                memory.allocator_free);
}

static void write_profile_facts(FILE *out, const struct profile *profile, long index)
{
    int64_t total = 0;
    for (size_t s = 0; s < profile->sample_count; s++)
        total = add_saturating(total, profile->samples[s].values[index]);
    fputs("{\"path\":", out);
    json_string(out, profile->path);
    fprintf(out, ",\"time\":%" PRId64 ",\"duration\":%" PRId64 ",\"period\":%" PRId64, profile->time_nanos,
            profile->duration_nanos, profile->period);
    fputs(",\"periodType\":", out);
    json_string(out, profile->period_type);
    fputs(",\"periodUnit\":", out);
    json_string(out, profile->period_unit);
    fprintf(out, ",\"samples\":%zu,\"total\":%" PRId64, profile->sample_count, total);
    fputs(",\"program\":", out);
    json_string(out, profile->main_file);
    fputs(",\"buildId\":", out);
    json_string(out, profile->main_build_id);
    write_libleak_counts(out, profile);
    fputs(",\"types\":[", out);
    for (size_t t = 0; t < profile->type_count; t++) {
        fputs(t ? "," : "", out);
        json_string(out, profile->types[t].type);
    }
    fputs("],\"comments\":[", out);
    for (size_t c = 0; c < profile->comment_count; c++) {
        fputs(c ? "," : "", out);
        json_string(out, profile->comments[c]);
    }
    fputs("]}", out);
}

struct html_data {
    struct frame_table *frames;
    struct profile **profiles;
    size_t count;
    long *indexes; /* per profile: the chosen sample type's index */
    struct profile *base;
    long base_index;
    const char *type, *unit;
};

/* The "lifetimes" rows of PROFILE (nothing when no sample has a lifetime). */
static void write_lifetimes(FILE *out, const struct profile *profile, const struct frame_table *frames)
{
    struct lifetime_site *sites;
    bool labelled;
    long count = lifetimes_by_site(profile, frames, NULL, &sites, &labelled);
    fputs(",\n\"lifetimes\":[", out);
    for (long i = 0; labelled && i < count && i < 100; i++) {
        char middle[80];
        lifetime_median(&sites[i], middle, sizeof middle);
        fputs(i ? ",[" : "[", out);
        json_string(out, sites[i].name);
        fprintf(out, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",", sites[i].alloc_bytes,
                sites[i].alloc_objects, sites[i].within_ms_bytes, sites[i].within_s_bytes, sites[i].inuse_bytes);
        json_string(out, middle);
        fputs("]", out);
    }
    fputs("]", out);
    free(sites);
}

/* The "threads" pairs of PROFILE for sample type INDEX (nothing when no sample names one). */
static void write_threads(FILE *out, const struct profile *profile, long index)
{
    struct {
        const char *name;
        int64_t value;
    } *threads = xcalloc(profile->sample_count + 1, sizeof *threads);
    size_t count = 0;
    bool named = false;
    for (size_t s = 0; s < profile->sample_count; s++) {
        const struct sample *sample = &profile->samples[s];
        const char *name = "";
        for (size_t l = 0; l < sample->label_count; l++)
            if (sample->labels[l].str && strcmp(sample->labels[l].key, "thread") == 0)
                name = sample->labels[l].str, named = true;
        size_t t = 0;
        while (t < count && strcmp(threads[t].name, name) != 0)
            t++;
        if (t == count)
            threads[count++].name = name;
        threads[t].value = add_saturating(threads[t].value, sample->values[index]);
    }
    for (size_t i = 1; i < count; i++) /* largest first; a few hundred names at most */
        for (size_t j = i; j > 0 && threads[j].value > threads[j - 1].value; j--) {
            __typeof__(*threads) swap = threads[j];
            threads[j] = threads[j - 1];
            threads[j - 1] = swap;
        }
    fputs(",\n\"threads\":[", out);
    for (size_t i = 0; named && i < count; i++) {
        fputs(i ? ",[" : "[", out);
        json_string(out, threads[i].name);
        fprintf(out, ",%" PRId64 "]", threads[i].value);
    }
    fputs("]", out);
    free(threads);
}

static void write_data(FILE *out, const struct html_data *data)
{
    size_t n = data->count;
    size_t columns = n + (data->base != NULL);
    struct stack_set set;
    stack_set_init(&set, columns);
    for (size_t p = 0; p < columns; p++) {
        const struct profile *profile = p < n ? data->profiles[p] : data->base;
        long index = p < n ? data->indexes[p] : data->base_index;
        for (size_t s = 0; s < profile->sample_count; s++) {
            const struct sample *sample = &profile->samples[s];
            stack_set_add(&set, sample->frames, sample->depth, 0, p, sample->values[index]);
        }
    }

    /* Stacks in drawing order, and where each set entry went (for the growth ranking). */
    const struct stack_entry **order = xcalloc(set.count + 1, sizeof *order);
    for (size_t e = 0; e < set.count; e++)
        order[e] = &set.entries[e];
    order_frames = data->frames;
    qsort(order, set.count, sizeof *order, compare_entries_root_first);
    size_t *position = xcalloc(set.count + 1, sizeof *position);
    for (size_t i = 0; i < set.count; i++)
        position[order[i] - set.entries] = i;

    /* Frames and strings actually used, numbered in order of first use. */
    uint32_t *frame_number = xcalloc(data->frames->count + 1, sizeof *frame_number); /* number + 1 */
    uint32_t *frame_list = xcalloc(data->frames->count + 1, sizeof *frame_list);
    size_t frame_count = 0;
    struct string_table strings = {0};
    id_map_init(&strings.ids, 512);
    string_intern(&strings, "");
    for (size_t i = 0; i < set.count; i++)
        for (uint32_t d = order[i]->depth; d-- > 0;) {
            uint32_t id = order[i]->frames[d];
            if (!frame_number[id]) {
                frame_list[frame_count] = id;
                frame_number[id] = (uint32_t)++frame_count;
            }
        }

    fputs("{\"version\":1,\"type\":", out);
    json_string(out, data->type);
    fputs(",\"unit\":", out);
    json_string(out, data->unit);
    fputs(",\"scales\":{", out); /* the sample type's unit, and bytes for resident memory */
    write_unit_scale(out, data->unit);
    if (strcmp(data->unit, "bytes") != 0) {
        fputs(",", out);
        write_unit_scale(out, "bytes");
    }
    fputs("}", out);
    fputs(",\"frames\":[", out);
    for (size_t f = 0; f < frame_count; f++) {
        const struct frame *frame = frame_get(data->frames, frame_list[f]);
        fprintf(out, "%s%u,%u,%" PRId64, f ? "," : "", string_intern(&strings, frame->name),
                string_intern(&strings, frame->file), frame->line);
    }
    fputs("],\n\"strings\":[", out);
    for (size_t s = 0; s < strings.count; s++) {
        fputs(s ? "," : "", out);
        json_string(out, strings.strings[s]);
    }
    fputs("],\n\"stacks\":[", out);
    for (size_t i = 0; i < set.count; i++) {
        const struct stack_entry *entry = order[i], *previous = i ? order[i - 1] : NULL;
        uint32_t shared = 0;
        while (previous && shared < entry->depth && shared < previous->depth &&
               entry->frames[entry->depth - 1 - shared] == previous->frames[previous->depth - 1 - shared])
            shared++;
        fprintf(out, "%s%u,%u", i ? "," : "", shared, entry->depth - shared);
        for (uint32_t d = shared; d < entry->depth; d++)
            fprintf(out, ",%u", frame_number[entry->frames[entry->depth - 1 - d]] - 1);
    }
    fputs("],\n\"series\":[", out);
    for (size_t p = 0; p < columns; p++) {
        if (p == n)
            fputs("],\n\"base\":", out);
        fprintf(out, "%s[", p && p != n ? ",\n" : "");
        for (size_t i = 0; i < set.count; i++)
            fprintf(out, "%s%" PRId64, i ? "," : "", order[i]->values[p]);
        fputs("]", out);
    }
    if (!data->base)
        fputs("],\n\"base\":null", out);
    fputs(",\n\"profiles\":[", out);
    for (size_t p = 0; p < n; p++) {
        fputs(p ? ",\n" : "", out);
        write_profile_facts(out, data->profiles[p], data->indexes[p]);
    }
    fputs("],\n\"baseProfile\":", out);
    if (data->base)
        write_profile_facts(out, data->base, data->base_index);
    else
        fputs("null", out);
    fputs(",\n\"growth\":[", out);
    if (n >= 2) {
        struct growth_suspect *suspects;
        size_t count = growth_rank(data->frames, &set, n, &suspects);
        for (size_t i = 0; i < count; i++)
            fprintf(out, "%s%zu,%" PRId64 ",%zu", i ? "," : "", position[suspects[i].entry - set.entries],
                    suspects[i].growth, suspects[i].growing_steps);
        free(suspects);
    }
    fputs("]", out);
    write_lifetimes(out, data->profiles[n - 1], data->frames);
    write_threads(out, data->profiles[n - 1], data->indexes[n - 1]);
    fputs("}", out);

    free(strings.strings);
    libleak_id_map_free(&strings.ids);
    free(frame_number);
    free(frame_list);
    free(position);
    free(order);
    stack_set_free(&set);
}

/*
 * Copies the template, replacing the lines that hold only a marker comment
 * (<!--leakprof:style-->, :script, :data) by the style, the script and the data.
 */
static void write_page(FILE *out, const struct html_data *data)
{
    static const char marker[] = "<!--leakprof:";
    const char *p = report_html, *end = report_html + report_html_size;
    while (p < end) {
        const char *found = strstr(p, marker);
        if (!found) {
            fwrite(p, 1, (size_t)(end - p), out);
            break;
        }
        fwrite(p, 1, (size_t)(found - p), out);
        const char *name = found + sizeof marker - 1;
        const char *close = strstr(name, "-->");
        if (!close)
            close = end - 3;
        size_t length = (size_t)(close - name);
        if (length == 5 && strncmp(name, "style", 5) == 0) {
            fputs("<style>\n", out);
            fwrite(report_css, 1, report_css_size, out);
            fputs("</style>", out);
        } else if (length == 6 && strncmp(name, "script", 6) == 0) {
            fputs("<script>\n", out);
            fwrite(report_js, 1, report_js_size, out);
            fputs("</script>", out);
        } else if (length == 4 && strncmp(name, "data", 4) == 0) {
            fputs("<script type=\"application/json\" id=\"leakprof-data\">\n", out);
            write_data(out, data);
            fputs("\n</script>", out);
        }
        p = close + 3;
    }
}

int command_html(int argc, char **argv)
{
    struct options options;
    int begun = command_begin("html", OPT_SAMPLE_INDEX | OPT_BASE | OPT_OUTPUT | OPT_OLDER_THAN | OPT_TAG_FILTER, 1, 0,
                              "one or more profiles", argc, argv, &options);
    if (begun >= 0)
        return begun;
    size_t n = options.file_count;
    const char *output = options.output ? options.output : DEFAULT_OUTPUT;
    struct frame_table frames;
    frame_table_init(&frames);
    struct profile **profiles = xcalloc(n, sizeof *profiles);
    long *indexes = xcalloc(n, sizeof *indexes);
    struct profile *base = NULL;
    int status = 2;
    if (!load_profiles(options.files, n, &frames, profiles)) {
        n = 0;
        goto done;
    }
    /* A base, like each PROFILE, may be a quoted glob: the merge of the files it matches. */
    char *base_argument[1] = {(char *)options.base};
    if (options.base && !(base = profile_load_all(base_argument, 1, &frames)))
        goto done;
    long first = profile_sample_index(profiles[0], growth_default_type(profiles[0], options.sample_index));
    if (first < 0) /* profile_sample_index said why (no sample types included) */
        goto done;
    /* Every file by the first one's type name: a series may mix writers' type orders. */
    struct html_data data = {&frames,
                             profiles,
                             n,
                             indexes,
                             base,
                             0,
                             profiles[0]->types[first].type,
                             profiles[0]->types[first].unit};
    for (size_t p = 0; p < n; p++)
        if ((indexes[p] = profile_sample_index(profiles[p], data.type)) < 0)
            goto done;
    if (base && (data.base_index = profile_sample_index(base, data.type)) < 0)
        goto done;

    FILE *out = strcmp(output, "-") == 0 ? stdout : fopen(output, "w");
    if (!out) {
        fprintf(stderr, "leakprof html: %s: %s\n", output, strerror(errno));
        goto done;
    }
    write_page(out, &data);
    int failed = ferror(out);
    if (out != stdout)
        failed |= fclose(out) != 0;
    else
        failed |= fflush(out) != 0;
    if (failed) {
        fprintf(stderr, "leakprof html: %s: write error: %s\n", output, strerror(errno));
        goto done;
    }
    if (out != stdout)
        fprintf(stderr, "leakprof html: wrote %s\n", output);
    status = 0;
done:
    if (base)
        profile_free(base);
    free_profiles(profiles, n);
    free(profiles);
    free(indexes);
    frame_table_free(&frames);
    free(options.files);
    return status;
}
