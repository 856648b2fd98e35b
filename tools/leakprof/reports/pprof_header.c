/*
 * pprof_header.c — pprof's header lines (pprof_header.h).
 */
#include "reports/pprof_header.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "model/util.h"
#include "reports/units.h"

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
