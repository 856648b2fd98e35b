/*
 * cmd_lifetimes.c — `leakprof lifetimes`: per allocation site (the leaf function, as top's flat
 * column groups), what it allocated and how long its blocks lived, from the numeric label
 * "lifetime" libleak puts on the samples of freed blocks (README "Threads and lifetimes").
 *
 * A freed sample's label is the lower bound of its lifetime decade, so "freed within 1 ms" is
 * the samples labelled under 1 ms (lifetimes under 1 ms exactly, decades being aligned), and the
 * median is the decade holding the middle freed block, by blocks; blocks still live are left
 * out of the median (their lifetime is not known yet) and shown as their own share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "reports/report.h"
#include "reports/units.h"
#include "model/util.h"

#define MAX_BUCKETS 64 /* distinct lifetime label values kept per site */

struct site {
    const char *name;
    int64_t alloc_bytes, alloc_objects, inuse_bytes;
    int64_t freed_objects, within_ms_bytes, within_s_bytes;
    struct {
        int64_t nanos, objects;
    } buckets[MAX_BUCKETS];
    size_t bucket_count;
};

/* The sample's lifetime in nanoseconds; false when it has none. */
static bool sample_lifetime(const struct sample *sample, int64_t *nanos)
{
    static const struct {
        const char *unit;
        int64_t factor;
    } units[] = {{"nanoseconds", 1}, {"ns", 1}, {"microseconds", 1000}, {"us", 1000},
                 {"milliseconds", 1000000}, {"ms", 1000000}, {"seconds", 1000000000}, {"s", 1000000000}};
    for (size_t l = 0; l < sample->label_count; l++) {
        const struct sample_label *label = &sample->labels[l];
        if (label->str || strcmp(label->key, "lifetime") != 0)
            continue;
        for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
            if (strcmp(label->unit, units[u].unit) == 0) {
                *nanos = label->num * units[u].factor;
                return true;
            }
    }
    return false;
}

static struct site *find_site(struct site **sites, size_t *count, size_t *capacity, const char *name)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp((*sites)[i].name, name) == 0)
            return &(*sites)[i];
    if (*count == *capacity) {
        *capacity = *capacity ? *capacity * 2 : 64;
        *sites = xrealloc(*sites, *capacity * sizeof **sites);
    }
    struct site *site = &(*sites)[(*count)++];
    memset(site, 0, sizeof *site);
    site->name = name;
    return site;
}

static void add_freed(struct site *site, int64_t nanos, int64_t objects)
{
    site->freed_objects = add_saturating(site->freed_objects, objects);
    for (size_t i = 0; i < site->bucket_count; i++)
        if (site->buckets[i].nanos == nanos) {
            site->buckets[i].objects = add_saturating(site->buckets[i].objects, objects);
            return;
        }
    if (site->bucket_count < MAX_BUCKETS)
        site->buckets[site->bucket_count++].nanos = nanos, site->buckets[site->bucket_count - 1].objects = objects;
}

static int by_nanos(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* "<1us", "10us-100us": the decade of the middle freed block; "-" when none was freed. */
static void median(const struct site *site, char *out, size_t size)
{
    if (site->freed_objects <= 0) {
        snprintf(out, size, "-");
        return;
    }
    int64_t sorted[MAX_BUCKETS][2];
    for (size_t i = 0; i < site->bucket_count; i++)
        sorted[i][0] = site->buckets[i].nanos, sorted[i][1] = site->buckets[i].objects;
    qsort(sorted, site->bucket_count, sizeof sorted[0], by_nanos);
    int64_t seen = 0, nanos = 0;
    for (size_t i = 0; i < site->bucket_count; i++) {
        seen += sorted[i][1];
        nanos = sorted[i][0];
        if (seen * 2 >= site->freed_objects)
            break;
    }
    char low[32], high[32];
    units_format(low, sizeof low, nanos, "nanoseconds", "auto");
    units_format(high, sizeof high, nanos ? nanos * 10 : 1000, "nanoseconds", "auto");
    if (nanos)
        snprintf(out, size, "%s-%s", low, high);
    else
        snprintf(out, size, "<%s", high);
}

static int by_alloc_bytes(const void *a, const void *b)
{
    const struct site *x = a, *y = b;
    return x->alloc_bytes > y->alloc_bytes ? -1 : x->alloc_bytes < y->alloc_bytes;
}

static void percent(char *out, size_t size, int64_t part, int64_t whole)
{
    if (whole <= 0)
        snprintf(out, size, "-");
    else
        snprintf(out, size, "%.1f%%", 100.0 * (double)part / (double)whole);
}

int command_lifetimes(int argc, char **argv)
{
    struct options options;
    int begun = command_begin("lifetimes", OPT_NODE_COUNT | OPT_FOCUS | OPT_IGNORE | OPT_TAG_FILTER, 1, 0,
                              "one or more profiles", argc, argv, &options);
    if (begun >= 0)
        return begun;
    struct report_input in;
    int status = 0;
    if (!report_input_open(&in, options.files, options.file_count, NULL, &options)) {
        status = 2;
        goto done;
    }
    const struct profile *profile = in.profile;
    long alloc_space = profile_sample_index(profile, "alloc_space");
    long alloc_objects = profile_sample_index(profile, "alloc_objects");
    long inuse_space = profile_sample_index(profile, "inuse_space");
    if (alloc_space < 0 || alloc_objects < 0 || inuse_space < 0) {
        fprintf(stderr, "leakprof lifetimes: %s has no alloc_space, alloc_objects and inuse_space: not a heap "
                        "profile\n",
                profile->path);
        status = 2;
        goto done;
    }
    struct site *sites = NULL;
    size_t count = 0, capacity = 0;
    bool labelled = false;
    for (size_t s = 0; s < profile->sample_count; s++) {
        const struct sample *sample = &profile->samples[s];
        if (sample->depth == 0 || !filter_keeps(&in.filter, sample->frames, sample->depth))
            continue;
        struct site *site = find_site(&sites, &count, &capacity, frame_get(&in.frames, sample->frames[0])->name);
        int64_t bytes = sample->values[alloc_space], objects = sample->values[alloc_objects];
        site->alloc_bytes = add_saturating(site->alloc_bytes, bytes);
        site->alloc_objects = add_saturating(site->alloc_objects, objects);
        site->inuse_bytes = add_saturating(site->inuse_bytes, sample->values[inuse_space]);
        int64_t nanos;
        if (!sample_lifetime(sample, &nanos))
            continue;
        labelled = true;
        add_freed(site, nanos, objects);
        if (nanos < 1000000)
            site->within_ms_bytes = add_saturating(site->within_ms_bytes, bytes);
        if (nanos < 1000000000)
            site->within_s_bytes = add_saturating(site->within_s_bytes, bytes);
    }
    if (!labelled)
        fprintf(stderr, "leakprof lifetimes: %s: no sample has a lifetime label (libleak writes one on freed "
                        "blocks)\n",
                profile->path);
    qsort(sites, count, sizeof *sites, by_alloc_bytes);
    printf("%10s %10s %9s %9s %9s  %-14s %s\n", "alloc", "blocks", "<1ms", "<1s", "live", "median", "site");
    size_t shown = options.node_count_set && options.node_count < count ? options.node_count : count;
    for (size_t i = 0; i < shown; i++) {
        const struct site *site = &sites[i];
        char bytes[32], ms[16], s[16], live[16], middle[80];
        units_format(bytes, sizeof bytes, site->alloc_bytes, "bytes", "auto");
        percent(ms, sizeof ms, site->within_ms_bytes, site->alloc_bytes);
        percent(s, sizeof s, site->within_s_bytes, site->alloc_bytes);
        percent(live, sizeof live, site->inuse_bytes, site->alloc_bytes);
        median(site, middle, sizeof middle);
        printf("%10s %10lld %9s %9s %9s  %-14s %s\n", bytes, (long long)site->alloc_objects, ms, s, live, middle,
               site->name);
    }
    free(sites);
done:
    report_input_close(&in);
    free(options.files);
    return status;
}
