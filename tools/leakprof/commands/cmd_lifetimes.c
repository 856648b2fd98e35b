/*
 * cmd_lifetimes.c — `leakprof lifetimes`: per allocation site (the leaf function, as top's flat
 * column groups), what it allocated and how long its blocks lived, from the numeric label
 * "lifetime" libleak puts on the samples of freed blocks (reports/lifetimes.h computes it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "reports/lifetimes.h"
#include "reports/report.h"
#include "reports/units.h"
#include "model/util.h"

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
    struct lifetime_site *sites;
    bool labelled;
    long count = lifetimes_by_site(profile, &in.frames, &in.filter, &sites, &labelled);
    if (count < 0) {
        fprintf(stderr, "leakprof lifetimes: %s has no alloc_space, alloc_objects and inuse_space: not a heap "
                        "profile\n",
                profile->path);
        status = 2;
        goto done;
    }
    if (!labelled)
        fprintf(stderr, "leakprof lifetimes: %s: no sample has a lifetime label (libleak writes one on freed "
                        "blocks)\n",
                profile->path);
    printf("%10s %10s %9s %9s %9s  %-14s %s\n", "alloc", "blocks", "<1ms", "<1s", "live", "median", "site");
    size_t shown = options.node_count_set && options.node_count < (size_t)count ? options.node_count : (size_t)count;
    for (size_t i = 0; i < shown; i++) {
        const struct lifetime_site *site = &sites[i];
        char bytes[32], ms[16], s[16], live[16], middle[80];
        units_format(bytes, sizeof bytes, site->alloc_bytes, "bytes", "auto");
        percent(ms, sizeof ms, site->within_ms_bytes, site->alloc_bytes);
        percent(s, sizeof s, site->within_s_bytes, site->alloc_bytes);
        percent(live, sizeof live, site->inuse_bytes, site->alloc_bytes);
        lifetime_median(site, middle, sizeof middle);
        printf("%10s %10lld %9s %9s %9s  %-14s %s\n", bytes, (long long)site->alloc_objects, ms, s, live, middle,
               site->name);
    }
    free(sites);
done:
    report_input_close(&in);
    free(options.files);
    return status;
}
