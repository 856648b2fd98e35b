/*
 * graph.c — flat and cum per function, pprof's trimming and ordering (see graph.h).
 *
 * pprof rebuilds its graph from the samples after each trimming step, because a dropped
 * node changes which stacks end in a kept node (a stack whose leaf was dropped gives no
 * flat value to anyone) and which edges exist. graph_build does the same: one pass over
 * the stacks, with a mask of the nodes kept so far.
 */
#include "reports/graph.h"

#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "model/util.h"

struct edge {
    uint32_t caller, callee;
    int64_t weight;
    size_t stamp; /* last stack that counted this edge */
    bool inlined; /* every occurrence was an inlined call */
};

struct graph {
    const struct frame_table *frames;
    const struct weighted_stack *stacks;
    size_t stack_count;

    const char **names; /* node id -> function name */
    size_t node_count;
    uint32_t *node_of_frame; /* frame id -> node id */

    int64_t *flat, *cum;
    size_t *seen; /* last stack (index + 1) that added to cum */
    struct libleak_id_map edge_ids; /* caller << 32 | callee -> index + 1 in edges */
    struct edge *edges;
    size_t edge_count, edge_capacity;
};

static bool same_name(const void *owner, uint32_t id, const void *name)
{
    return strcmp(((const struct graph *)owner)->names[id - 1], name) == 0;
}

/* Gives each distinct frame name a node id. */
static void assign_nodes(struct graph *g)
{
    size_t frame_count = g->frames->count;
    struct libleak_id_map ids; /* a name's hash -> node id + 1 */
    id_map_init(&ids, frame_count);
    g->names = xcalloc(frame_count, sizeof *g->names);
    g->node_of_frame = xcalloc(frame_count, sizeof *g->node_of_frame);
    for (size_t f = 0; f < frame_count; f++) {
        const char *name = g->frames->frames[f].name;
        uint64_t hash = libleak_hash_string(name);
        id_map_reserve(&ids);
        uint64_t slot = libleak_id_map_slot(&ids, hash, same_name, g, name);
        if (!ids.ids[slot]) {
            g->names[g->node_count++] = name;
            libleak_id_map_set(&ids, slot, hash, (uint32_t)g->node_count);
        }
        g->node_of_frame[f] = ids.ids[slot] - 1;
    }
    libleak_id_map_free(&ids);
}

static struct edge *find_edge(struct graph *g, uint32_t caller, uint32_t callee)
{
    uint64_t key = (uint64_t)caller << 32 | callee; /* unique: no confirming needed */
    id_map_reserve(&g->edge_ids);
    uint64_t slot = libleak_id_map_slot(&g->edge_ids, key, NULL, NULL, NULL);
    if (g->edge_ids.ids[slot])
        return &g->edges[g->edge_ids.ids[slot] - 1];
    if (g->edge_count == g->edge_capacity) {
        g->edge_capacity = g->edge_capacity ? g->edge_capacity * 2 : 256;
        g->edges = xreallocarray(g->edges, g->edge_capacity, sizeof *g->edges);
    }
    g->edges[g->edge_count++] = (struct edge){.caller = caller, .callee = callee, .inlined = true};
    libleak_id_map_set(&g->edge_ids, slot, key, (uint32_t)g->edge_count);
    return &g->edges[g->edge_count - 1];
}

/* One pass over the stacks; KEPT (NULL = every node) masks the nodes that exist. */
static void graph_build(struct graph *g, const bool *kept)
{
    memset(g->flat, 0, g->node_count * sizeof *g->flat);
    memset(g->cum, 0, g->node_count * sizeof *g->cum);
    memset(g->seen, 0, g->node_count * sizeof *g->seen);
    libleak_id_map_free(&g->edge_ids);
    id_map_init(&g->edge_ids, 512);
    g->edge_count = 0;

    for (size_t s = 0; s < g->stack_count; s++) {
        const struct weighted_stack *stack = &g->stacks[s];
        int64_t w = stack->value;
        if (w == 0)
            continue;
        long parent = -1;
        bool residual = false;
        for (uint32_t i = stack->depth; i-- > 0;) { /* root to leaf */
            uint32_t frame = stack->frames[i];
            uint32_t n = g->node_of_frame[frame];
            if (kept && !kept[n]) {
                residual = true;
                continue;
            }
            if (g->seen[n] != s + 1) {
                g->seen[n] = s + 1;
                g->cum[n] = add_saturating(g->cum[n], w);
            }
            if (parent >= 0 && (uint32_t)parent != n) {
                struct edge *e = find_edge(g, (uint32_t)parent, n);
                if (e->stamp != s + 1) {
                    e->stamp = s + 1;
                    e->weight = add_saturating(e->weight, w);
                    if (!g->frames->frames[frame].inlined)
                        e->inlined = false;
                }
            }
            parent = n;
            residual = false;
        }
        if (parent >= 0 && !residual)
            g->flat[parent] = add_saturating(g->flat[parent], w);
    }
}

static const struct graph *sort_graph;
static enum graph_order sort_order;

static int compare_rows(const void *a, const void *b)
{
    uint32_t l = *(const uint32_t *)a, r = *(const uint32_t *)b;
    const struct graph *g = sort_graph;
    int64_t lv, rv;
    switch (sort_order) {
    case ORDER_CUM:
        lv = abs_saturating(g->cum[l]);
        rv = abs_saturating(g->cum[r]);
        break;
    case ORDER_GROWTH:
        lv = g->flat[l];
        rv = g->flat[r];
        if (lv == rv) { /* then by what grew beneath it */
            lv = g->cum[l];
            rv = g->cum[r];
        }
        break;
    default:
        lv = abs_saturating(g->flat[l]);
        rv = abs_saturating(g->flat[r]);
        break;
    }
    if (lv != rv)
        return lv > rv ? -1 : 1;
    int c = strcmp(g->names[l], g->names[r]);
    if (c)
        return c;
    lv = sort_order == ORDER_CUM ? abs_saturating(g->flat[l]) : abs_saturating(g->cum[l]);
    rv = sort_order == ORDER_CUM ? abs_saturating(g->flat[r]) : abs_saturating(g->cum[r]);
    return lv > rv ? -1 : lv < rv;
}

/* The nodes of the current graph (those with a flat or cum value), sorted. */
static size_t present_nodes(const struct graph *g, uint32_t *out, enum graph_order order)
{
    size_t count = 0;
    for (uint32_t n = 0; n < g->node_count; n++)
        if (g->flat[n] != 0 || g->cum[n] != 0)
            out[count++] = n;
    sort_graph = g;
    sort_order = order;
    qsort(out, count, sizeof *out, compare_rows);
    return count;
}

static void keep_only(bool *kept, size_t node_count, const uint32_t *nodes, size_t count)
{
    memset(kept, 0, node_count * sizeof *kept);
    for (size_t i = 0; i < count; i++)
        kept[nodes[i]] = true;
}

void graph_top(const struct frame_table *frames, const struct weighted_stack *stacks, size_t stack_count,
               const struct graph_options *options, struct graph_result *result)
{
    struct graph g = {.frames = frames, .stacks = stacks, .stack_count = stack_count};
    assign_nodes(&g);
    g.flat = xcalloc(g.node_count, sizeof *g.flat);
    g.cum = xcalloc(g.node_count, sizeof *g.cum);
    g.seen = xcalloc(g.node_count, sizeof *g.seen);
    bool *kept = xcalloc(g.node_count, sizeof *kept);
    uint32_t *nodes = xcalloc(g.node_count, sizeof *nodes);
    memset(result, 0, sizeof *result);
    result->total = options->total;

    graph_build(&g, NULL);
    size_t count = present_nodes(&g, nodes, options->order);
    int64_t flat_total = 0; /* pprof cuts against the sum of flat, not the total */
    for (size_t i = 0; i < count; i++)
        flat_total = add_saturating(flat_total, g.flat[nodes[i]]);
    int64_t node_cutoff = abs_saturating(int64_from_double((double)flat_total * options->node_fraction));
    int64_t edge_cutoff = abs_saturating(int64_from_double((double)flat_total * options->edge_fraction));
    if (node_cutoff > 0) {
        size_t kept_count = 0;
        for (size_t i = 0; i < count; i++)
            if (abs_saturating(g.cum[nodes[i]]) >= node_cutoff)
                nodes[kept_count++] = nodes[i];
        if (kept_count != count) {
            result->dropped_nodes = count - kept_count;
            keep_only(kept, g.node_count, nodes, kept_count);
            graph_build(&g, kept);
        }
    }
    count = present_nodes(&g, nodes, options->order);
    result->node_count_before_limit = count;
    if (options->node_count > 0 && options->node_count < count) {
        keep_only(kept, g.node_count, nodes, options->node_count);
        graph_build(&g, kept);
        count = present_nodes(&g, nodes, options->order);
    }

    /* A node is "(inline)" when every edge into it that survives trimming is inlined. */
    bool *inlined_in = xcalloc(g.node_count, sizeof *inlined_in);
    bool *called_in = xcalloc(g.node_count, sizeof *called_in);
    for (size_t i = 0; i < g.edge_count; i++) {
        const struct edge *e = &g.edges[i];
        if (abs_saturating(e->weight) < edge_cutoff)
            continue;
        if (e->inlined)
            inlined_in[e->callee] = true;
        else
            called_in[e->callee] = true;
    }

    result->rows = xcalloc(count, sizeof *result->rows);
    result->row_count = count;
    for (size_t i = 0; i < count; i++) {
        uint32_t n = nodes[i];
        const char *label = "";
        if (inlined_in[n])
            label = called_in[n] ? "(partial-inline)" : "(inline)";
        result->rows[i] = (struct graph_row){g.names[n], g.flat[n], g.cum[n], label};
        result->flat_sum = add_saturating(result->flat_sum, g.flat[n]);
    }
    free(inlined_in);
    free(called_in);
    free(kept);
    free(nodes);
    free(g.names);
    free(g.node_of_frame);
    free(g.flat);
    free(g.cum);
    free(g.seen);
    free(g.edges);
    libleak_id_map_free(&g.edge_ids);
}

void graph_result_free(struct graph_result *result)
{
    free(result->rows);
    memset(result, 0, sizeof *result);
}
