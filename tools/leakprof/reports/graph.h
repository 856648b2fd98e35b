/*
 * graph.h — pprof's function graph, reduced to what a `top` table needs.
 *
 * Input: weighted stacks (one per sample, or per merged stack when a base is subtracted).
 * Each distinct function name is a node. A node's flat value is what stacks ending in it
 * hold; its cum value is what stacks passing through it hold, counted once per stack even
 * under recursion. Then pprof's trimming: nodes whose |cum| is under node_fraction of the
 * total are dropped ("Dropped N nodes"), the rest are sorted, and the first node_count are
 * kept. Edges (caller to callee) are tracked only to label nodes reached solely through
 * inlining "(inline)", as pprof does.
 *
 * The rules follow github.com/google/pprof/internal/graph and internal/report
 * (newTrimmedGraph), so that the rows agree with `go tool pprof -top`.
 */
#ifndef LEAKPROF_GRAPH_H
#define LEAKPROF_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/frames.h"
#include "reports/stack_list.h"

enum graph_order {
    ORDER_FLAT,   /* |flat| descending: pprof's default */
    ORDER_CUM,    /* |cum| descending: --cum */
    ORDER_GROWTH, /* flat descending, signed: what grew most comes first (diff) */
};

struct graph_options {
    double node_fraction; /* pprof's -nodefraction, default 0.005 */
    double edge_fraction; /* pprof's -edgefraction, default 0.001 */
    size_t node_count;    /* 0 = all */
    enum graph_order order;
    int64_t total; /* what percentages are of (stack_list.total) */
};

struct graph_row {
    const char *name;
    int64_t flat, cum;
    const char *inline_label; /* "", "(inline)" or "(partial-inline)" */
};

struct graph_result {
    struct graph_row *rows;
    size_t row_count;
    size_t node_count_before_limit; /* pprof's origCount */
    size_t dropped_nodes;
    int64_t total;    /* options->total */
    int64_t flat_sum; /* of the rows shown */
};

void graph_top(const struct frame_table *frames, const struct weighted_stack *stacks, size_t stack_count,
               const struct graph_options *options, struct graph_result *result);
void graph_result_free(struct graph_result *result);

#endif
