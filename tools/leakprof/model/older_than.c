/*
 * older_than.c — the --older-than filter (older_than.h).
 *
 * A sample without an age label is dropped: libleak writes one only for a stack with nothing
 * live (its allocation totals), and a profile from another writer says nothing about age. The
 * label's unit may be seconds (libleak's), or a finer or coarser unit of time as pprof knows
 * them.
 */
#include "model/older_than.h"

#include <stdio.h>
#include <string.h>

int64_t older_than_seconds = -1;

/* The label's value in seconds, rounded down; false when the unit is not one of time. */
static bool label_seconds(const struct sample_label *label, int64_t *seconds)
{
    static const struct {
        const char *unit;
        int64_t per_second, seconds_per;
    } units[] = {
            {"", 1, 1},
            {"s", 1, 1},
            {"second", 1, 1},
            {"seconds", 1, 1},
            {"ms", 1000, 1},
            {"milliseconds", 1000, 1},
            {"us", 1000000, 1},
            {"microseconds", 1000000, 1},
            {"ns", 1000000000, 1},
            {"nanoseconds", 1000000000, 1},
            {"minutes", 1, 60},
            {"hours", 1, 3600},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(label->unit, units[i].unit) == 0) {
            *seconds = label->num / units[i].per_second;
            if (units[i].seconds_per > 1)
                *seconds = *seconds > INT64_MAX / units[i].seconds_per ? INT64_MAX
                                                                       : *seconds * units[i].seconds_per;
            return true;
        }
    }
    return false;
}

void older_than_filter(struct profile *profile, int64_t seconds)
{
    size_t kept = 0, labelled = 0;
    for (size_t s = 0; s < profile->sample_count; s++) {
        const struct sample *sample = &profile->samples[s];
        bool keep = false;
        for (size_t l = 0; l < sample->label_count; l++) {
            int64_t age;
            const struct sample_label *label = &sample->labels[l];
            if (label->str || strcmp(label->key, "age") != 0 || !label_seconds(label, &age))
                continue;
            labelled++;
            keep = age >= seconds;
            break;
        }
        if (keep)
            profile->samples[kept++] = *sample;
    }
    if (labelled == 0)
        fprintf(stderr,
                "leakprof: %s: no sample has an age label (libleak writes one on live blocks); "
                "--older-than keeps nothing\n",
                profile->path);
    profile->sample_count = kept;
}
