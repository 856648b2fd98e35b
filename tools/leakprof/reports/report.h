/*
 * report.h — what the commands share between reading the profiles and printing, one file
 * per job:
 *   report_input.h   the profiles, the base, the sample index and the filter of a report;
 *   frame_filter.h   --focus and --ignore;
 *   stack_list.h     samples (minus a base) as weighted stacks;
 *   pprof_header.h   pprof's header lines;
 *   stack_line.h     a stack on one line.
 */
#ifndef LEAKPROF_REPORT_H
#define LEAKPROF_REPORT_H

#include "reports/frame_filter.h"
#include "reports/graph.h"
#include "reports/pprof_header.h"
#include "reports/report_input.h"
#include "reports/stack_line.h"
#include "reports/stack_list.h"

#endif
