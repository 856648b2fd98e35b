/*
 * lifetimes.c — the lifetimes of blocks per allocation site (lifetimes.h).
 */
#include "reports/lifetimes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/units.h"
#include "model/util.h"

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

static struct lifetime_site *find_site(struct lifetime_site **sites, size_t *count, size_t *capacity, const char *name)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp((*sites)[i].name, name) == 0)
            return &(*sites)[i];
    if (*count == *capacity) {
        *capacity = *capacity ? *capacity * 2 : 64;
        *sites = xrealloc(*sites, *capacity * sizeof **sites);
    }
    struct lifetime_site *site = &(*sites)[(*count)++];
    memset(site, 0, sizeof *site);
    site->name = name;
    return site;
}

static void add_freed(struct lifetime_site *site, int64_t nanos, int64_t objects)
{
    site->freed_objects = add_saturating(site->freed_objects, objects);
    for (size_t i = 0; i < site->bucket_count; i++)
        if (site->buckets[i].nanos == nanos) {
            site->buckets[i].objects = add_saturating(site->buckets[i].objects, objects);
            return;
        }
    if (site->bucket_count < LIFETIME_MAX_BUCKETS)
        site->buckets[site->bucket_count++].nanos = nanos, site->buckets[site->bucket_count - 1].objects = objects;
}

static int by_nanos(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

void lifetime_median(const struct lifetime_site *site, char *out, size_t size)
{
    if (site->freed_objects <= 0) {
        snprintf(out, size, "-");
        return;
    }
    int64_t sorted[LIFETIME_MAX_BUCKETS][2];
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
    const struct lifetime_site *x = a, *y = b;
    return x->alloc_bytes > y->alloc_bytes ? -1 : x->alloc_bytes < y->alloc_bytes;
}

long lifetimes_by_site(const struct profile *profile, const struct frame_table *frames,
                       struct frame_filter *filter, struct lifetime_site **out, bool *labelled)
{
    long alloc_space = profile_sample_index(profile, "alloc_space");
    long alloc_objects = profile_sample_index(profile, "alloc_objects");
    long inuse_space = profile_sample_index(profile, "inuse_space");
    *out = NULL;
    *labelled = false;
    if (alloc_space < 0 || alloc_objects < 0 || inuse_space < 0)
        return -1;
    struct lifetime_site *sites = NULL;
    size_t count = 0, capacity = 0;
    for (size_t s = 0; s < profile->sample_count; s++) {
        const struct sample *sample = &profile->samples[s];
        if (sample->depth == 0 || !filter_keeps(filter, sample->frames, sample->depth))
            continue;
        struct lifetime_site *site = find_site(&sites, &count, &capacity, frame_get(frames, sample->frames[0])->name);
        int64_t bytes = sample->values[alloc_space], objects = sample->values[alloc_objects];
        site->alloc_bytes = add_saturating(site->alloc_bytes, bytes);
        site->alloc_objects = add_saturating(site->alloc_objects, objects);
        site->inuse_bytes = add_saturating(site->inuse_bytes, sample->values[inuse_space]);
        int64_t nanos;
        if (!sample_lifetime(sample, &nanos))
            continue;
        *labelled = true;
        add_freed(site, nanos, objects);
        if (nanos < 1000000)
            site->within_ms_bytes = add_saturating(site->within_ms_bytes, bytes);
        if (nanos < 1000000000)
            site->within_s_bytes = add_saturating(site->within_s_bytes, bytes);
    }
    if (count > 1) /* qsort's array must not be NULL, even when empty */
        qsort(sites, count, sizeof *sites, by_alloc_bytes);
    *out = sites;
    return (long)count;
}
