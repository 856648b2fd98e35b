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

#include "model/util.h"

struct edge {
    uint64_t key; /* caller << 32 | callee, + 1 so that 0 means an empty slot */
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
    struct edge *edges;
    size_t edge_slots, edge_count;
};

/* Gives each distinct frame name a node id. */
static void assign_nodes(struct graph *g)
{
    size_t frame_count = g->frames->count;
    size_t slot_count = 64;
    while (slot_count < frame_count * 2)
        slot_count *= 2;
    uint32_t *slots = xcalloc(slot_count, sizeof *slots);
    g->names = xcalloc(frame_count, sizeof *g->names);
    g->node_of_frame = xcalloc(frame_count, sizeof *g->node_of_frame);
    for (size_t f = 0; f < frame_count; f++) {
        const char *name = g->frames->frames[f].name;
        size_t i = hash_bytes(HASH_SEED, name, strlen(name)) & (slot_count - 1);
        while (slots[i] && strcmp(g->names[slots[i] - 1], name) != 0)
            i = (i + 1) & (slot_count - 1);
        if (!slots[i]) {
            g->names[g->node_count] = name;
            slots[i] = (uint32_t)++g->node_count;
        }
        g->node_of_frame[f] = slots[i] - 1;
    }
    free(slots);
}

static struct edge *find_edge(struct graph *g, uint32_t caller, uint32_t callee)
{
    if ((g->edge_count + 1) * 2 > g->edge_slots) {
        size_t slots = g->edge_slots ? g->edge_slots * 2 : 1024;
        struct edge *edges = xcalloc(slots, sizeof *edges);
        for (size_t i = 0; i < g->edge_slots; i++) {
            if (!g->edges[i].key)
                continue;
            size_t j = hash_bytes(HASH_SEED, &g->edges[i].key, 8) & (slots - 1);
            while (edges[j].key)
                j = (j + 1) & (slots - 1);
            edges[j] = g->edges[i];
        }
        free(g->edges);
        g->edges = edges;
        g->edge_slots = slots;
    }
    uint64_t key = ((uint64_t)caller << 32 | callee) + 1;
    size_t i = hash_bytes(HASH_SEED, &key, 8) & (g->edge_slots - 1);
    while (g->edges[i].key && g->edges[i].key != key)
        i = (i + 1) & (g->edge_slots - 1);
    if (!g->edges[i].key) {
        g->edges[i] = (struct edge){.key = key, .inlined = true};
        g->edge_count++;
    }
    return &g->edges[i];
}

/* One pass over the stacks; KEPT (NULL = every node) masks the nodes that exist. */
static void graph_build(struct graph *g, const bool *kept)
{
    memset(g->flat, 0, g->node_count * sizeof *g->flat);
    memset(g->cum, 0, g->node_count * sizeof *g->cum);
    memset(g->seen, 0, g->node_count * sizeof *g->seen);
    free(g->edges);
    g->edges = NULL;
    g->edge_slots = g->edge_count = 0;

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
    for (size_t i = 0; i < g.edge_slots; i++) {
        const struct edge *e = &g.edges[i];
        if (!e->key || abs_saturating(e->weight) < edge_cutoff)
            continue;
        uint32_t callee = (uint32_t)((e->key - 1) & 0xffffffffu);
        if (e->inlined)
            inlined_in[callee] = true;
        else
            called_in[callee] = true;
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
}

void graph_result_free(struct graph_result *result)
{
    free(result->rows);
    memset(result, 0, sizeof *result);
}
