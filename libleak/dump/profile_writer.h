/*
 * profile_writer — the writing side of a profile: the stack table (or another source of
 * samples) turned into a pprof heap profile, gzipped, written to a file descriptor. The reading
 * side is leakprof's (tools/leakprof/model/profile_model.h). Runs in the dumper (inside libleak): it
 * allocates from an arena and calls the symbolizer.
 */
#ifndef LIBLEAK_PROFILE_WRITER_H
#define LIBLEAK_PROFILE_WRITER_H
#include <stdbool.h>
#include <stdint.h>

/* One sample of a profile: a stack and its four values (alloc_objects, alloc_space,
   inuse_objects, inuse_space, already final), with optional numeric labels. */
struct libleak_profile_sample {
    const uintptr_t *frames; /* return addresses, the allocation's caller first */
    uint32_t depth;
    int64_t values[4];
    int64_t age_seconds; /* numeric label "age" (unit seconds) when >= 0; -1: none */
    const char *thread;     /* string label "thread" (the allocating thread's name); NULL: none */
    int64_t lifetime_nanos; /* numeric label "lifetime" (unit nanoseconds) when >= 0: freed blocks; -1: none */
};

/* Where the samples of a profile come from. The default (source NULL in the request) is the
   stack table's counters; the leak gate, the peak and the age classes supply their own. */
struct libleak_profile_source {
    /* Calls emit once per sample. Runs in the dumper, inside libleak. */
    void (*for_each)(void *context,
                     void (*emit)(const struct libleak_profile_sample *sample, void *emit_context),
                     void *emit_context);
    void *context;
    uint64_t expected_samples; /* a hint for the table sizes */
};

#define LIBLEAK_PROFILE_EXTRA_COMMENTS 4

struct libleak_profile_request {
    int64_t start_nanos; /* when the process (or the fork child) started being profiled */
    bool symbolize;      /* names and lines, or addresses only */
    const struct libleak_profile_source *source; /* NULL: the stack table */
    /* The exit profile: when the stack table's source has nothing (no stack interned), write
       the empty profile at once, without the module list (profile_writer.c). */
    bool empty_when_nothing_sampled;
    /* Lines added to the profile's comments (NULL entries are skipped). */
    const char *extra_comments[LIBLEAK_PROFILE_EXTRA_COMMENTS];
};

/* The four values of a sample from a stack's counters (fixed point), rounded and clamped. */
struct libleak_stack_totals;
void libleak_profile_values(const struct libleak_stack_totals *totals, int64_t values[4]);

/* Returns 0, or -1 with errno set (write failed: ENOSPC, EIO, ...; or ENOMEM). */
int libleak_profile_write(int fd, const struct libleak_profile_request *request);

/* The samples of a stack's freed blocks whose lifetime is known, one per lifetime bucket
   (stacks.h): their allocation values, in use 0, the label "lifetime" = the bucket's lower
   bound (libleak_lifetime_label). Takes what they carry off `totals` (its alloc and free counters alike), so that the
   caller's samples carry the rest: the blocks still live, and any free whose lifetime was lost. */
struct libleak_stack;
struct libleak_stack_totals;
void libleak_profile_emit_freed(const struct libleak_stack *stack, struct libleak_stack_totals *totals,
                                void (*emit)(const struct libleak_profile_sample *sample, void *emit_context),
                                void *emit_context);

#endif
