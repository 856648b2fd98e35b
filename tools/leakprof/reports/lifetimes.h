/*
 * lifetimes.h — per allocation site (the leaf function, as top's flat column groups), what it
 * allocated and how long its blocks lived, from the numeric label "lifetime" libleak puts on
 * the samples of freed blocks (README "Threads and lifetimes"): `leakprof lifetimes` and the
 * html page's table.
 *
 * A freed sample's label is the lower bound of its lifetime decade, so "freed within 1 ms" is
 * the samples labelled under 1 ms (lifetimes under 1 ms exactly, decades being aligned), and the
 * median is the decade holding the middle freed block, by blocks; blocks still live are left
 * out of the median (their lifetime is not known yet) and shown as their own share.
 */
#ifndef LEAKPROF_LIFETIMES_H
#define LEAKPROF_LIFETIMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/profile_model.h"
#include "reports/frame_filter.h"

#define LIFETIME_MAX_BUCKETS 64 /* distinct lifetime label values kept per site */

struct lifetime_site {
    const char *name;
    int64_t alloc_bytes, alloc_objects, inuse_bytes;
    int64_t freed_objects, within_ms_bytes, within_s_bytes;
    struct {
        int64_t nanos, objects;
    } buckets[LIFETIME_MAX_BUCKETS];
    size_t bucket_count;
};

/* The sites of PROFILE's samples that FILTER keeps, largest allocation first, in *SITES (free
   it); their count, or -1 when the profile has no alloc_space, alloc_objects and inuse_space.
   *LABELLED says whether any sample had a lifetime. */
long lifetimes_by_site(const struct profile *profile, const struct frame_table *frames,
                       struct frame_filter *filter, struct lifetime_site **sites, bool *labelled);

/* "<1us", "10us-100us": the decade of the middle freed block; "-" when none was freed. */
void lifetime_median(const struct lifetime_site *site, char *out, size_t size);

#endif
