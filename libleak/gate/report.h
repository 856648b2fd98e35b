/*
 * report — the gate's report in memcheck's words, on stderr or in LIBLEAK_LOG's file
 * (core/log.h's libleak_log_report; dump/log_destination.c says where it goes when the program
 * closed fd 2): each loss record with its stack, the LEAK SUMMARY,
 * and the same totals as the comments of the .leaks profile.
 */
#ifndef LIBLEAK_REPORT_H
#define LIBLEAK_REPORT_H
#include <stddef.h>
#include <stdint.h>

#include "gate/loss_records.h"

/* value with thousands separators, as memcheck prints counts: 4,248. */
void libleak_format_count(char *out, size_t size, uint64_t value);

/* Every loss record not suppressed, numbered, with its frames; returns how many. */
size_t libleak_report_records(const struct loss_records *records);

/* The LEAK SUMMARY lines: the four classes and the suppressed. */
void libleak_report_summary(const struct loss_records *records);

/* The profile's comments: "WHO: definitely lost: B bytes in N blocks" for the three lost
   classes, then the suppressed; WHO is "leak gate" at exit, "leak check N" mid-run. */
#define LIBLEAK_REPORT_COMMENTS 4
void libleak_report_comments(const struct loss_records *records, const char *who,
                             char comments[LIBLEAK_REPORT_COMMENTS][160]);

#endif
