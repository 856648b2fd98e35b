/*
 * pprof_header.h — the lines pprof prints above a report: File, Build ID, comments, Type,
 * Time, Duration, in its words and formats, so that a report reads like go tool pprof's.
 */
#ifndef LEAKPROF_PPROF_HEADER_H
#define LEAKPROF_PPROF_HEADER_H

#include <stdint.h>
#include <stdio.h>

#include "model/profile_model.h"

/*
 * TOTAL and OUTPUT_UNIT are the report's (Duration prints the total). With a BASE (or NULL),
 * the header of pprof's merge of the two: both files' comments once each, the earlier time,
 * the sum of the durations.
 */
void report_print_labels(FILE *out, const struct profile *profile, const struct profile *base, long index,
                         int64_t total, const char *output_unit);

#endif
