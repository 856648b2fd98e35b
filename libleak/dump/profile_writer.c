/*
 * profile_writer — the pprof heap profile, as Go writes one (runtime/pprof's protomem.go).
 *
 * Four sample types: alloc_objects/count, alloc_space/bytes, inuse_objects/count,
 * inuse_space/bytes (the default); period_type space/bytes with period = the rate. Values are
 * final (pprof never rescales a proto profile): each stack's counters already hold the sum of
 * its samples' unbiased weights (sampler.h). Each sample carries a numeric label "bytes" with
 * the stack's average block size, like Go's, and "age" where the source knows it; a string
 * label "thread", the name of the allocating thread (thread_names.h); and the samples of freed
 * blocks a numeric label "lifetime" (libleak_profile_emit_freed). The samples
 * come from a source: the stack table's counters by default, the leak gate's, the peak's or
 * the age classes' otherwise. Comments say how the profile was taken and what the process
 * and its allocator hold beside it.
 *
 * How the message is encoded (strings, locations, functions, mappings) is pprof_builder.c's
 * job; gzip_writer.c streams it to the file. All the memory comes from the builder's arena,
 * released when the file is written.
 */
#include "dump/profile_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/profile_comments.h"
#include "core/settings.h"
#include "core/clock.h"
#include "core/config.h"
#include "os/descriptors.h"
#include "os/libc.h"
#include "os/proc_files.h"
#include "dump/ages.h"
#include "dump/gzip_writer.h"
#include "alloc/live.h"
#include "alloc/memory.h"
#include "os/memory_limits.h"
#include "dump/pprof_builder.h"
#include "alloc/real.h"
#include "alloc/sampler.h"
#include "alloc/stacks.h"
#include "dump/symbols.h"
#include "alloc/thread_names.h"
#include "alloc/track.h"
#include "alloc/unwind.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__ValueType ValueType;

/*
 * Frames that only pass an allocation on: pprof (and leakprof) drop them and every frame they
 * called, so the program's call of the allocator is the flat frame, as runtime.mallocgc never
 * shows in a Go profile. Our own hooks (operator new included) are never in a stack; these are
 * what remains: libc's and common libraries' wrappers, and operator new where a C++ runtime
 * calls another through a frame of its own. pprof matches the whole name without its argument
 * list.
 */
#define ALLOCATOR_WRAPPERS                                                                                   \
    "operator new.*|operator delete.*|__libc_(malloc|calloc|realloc|memalign)|"                              \
    "(__)?(strdup|strndup)|wcsdup|x(malloc|calloc|realloc|strdup|strndup|memdup)|"                           \
    "g_(try_)?(malloc0?|realloc|new0?)(_n)?|g_(strdup|strndup|memdup)"

void libleak_profile_values(const struct libleak_stack_totals *totals, int64_t values[4])
{
    /* A free counted after we read alloc cannot exceed it for long; clamp the instant. */
    uint64_t inuse_objects =
            totals->alloc_objects > totals->free_objects ? totals->alloc_objects - totals->free_objects : 0;
    uint64_t inuse_bytes =
            totals->alloc_bytes > totals->free_bytes ? totals->alloc_bytes - totals->free_bytes : 0;
    const uint64_t half = LIBLEAK_OBJECT_ONE / 2;
    values[0] = (int64_t)((totals->alloc_objects + half) / LIBLEAK_OBJECT_ONE);
    values[1] = (int64_t)totals->alloc_bytes;
    values[2] = (int64_t)((inuse_objects + half) / LIBLEAK_OBJECT_ONE);
    values[3] = (int64_t)inuse_bytes;
}

struct stack_visit {
    void (*emit)(const struct libleak_profile_sample *sample, void *emit_context);
    void *emit_context;
};

void libleak_profile_emit_freed(const struct libleak_stack *stack, struct libleak_stack_totals *totals,
                                void (*emit)(const struct libleak_profile_sample *sample, void *emit_context),
                                void *emit_context)
{
    struct libleak_stack_lifetimes lifetimes;
    libleak_stacks_lifetimes(stack, &lifetimes);
    for (unsigned bucket = 0; bucket < LIBLEAK_LIFETIME_BUCKETS; bucket++) {
        /* A free charged after `totals` was read may show here: clamp to what totals hold. */
        uint64_t objects = lifetimes.objects[bucket] < totals->free_objects ? lifetimes.objects[bucket]
                                                                             : totals->free_objects;
        uint64_t bytes = lifetimes.bytes[bucket] < totals->free_bytes ? lifetimes.bytes[bucket] : totals->free_bytes;
        if (objects == 0)
            continue;
        struct libleak_stack_totals freed = {objects, bytes, objects, bytes};
        struct libleak_profile_sample sample = {stack->frames, stack->depth, {0}, -1,
                                                libleak_thread_name(stack->thread_name),
                                                (int64_t)libleak_lifetime_label(bucket)};
        libleak_profile_values(&freed, sample.values);
        sample.values[2] = sample.values[3] = 0;
        emit(&sample, emit_context);
        totals->alloc_objects -= objects;
        totals->alloc_bytes -= bytes;
        totals->free_objects -= objects;
        totals->free_bytes -= bytes;
    }
}

/* The samples of the default source: every stack that has allocated, with its counters; its
   freed blocks by lifetime, then the rest. */
static void emit_stack(struct libleak_stack *stack, void *context)
{
    struct stack_visit *visit = context;
    struct libleak_stack_totals totals;
    libleak_stacks_totals(stack, &totals);
    if (totals.alloc_objects == 0)
        return; /* interned, but nothing charged yet */
    libleak_profile_emit_freed(stack, &totals, visit->emit, visit->emit_context);
    struct libleak_profile_sample sample = {stack->frames, stack->depth, {0}, -1,
                                            libleak_thread_name(stack->thread_name), -1};
    libleak_profile_values(&totals, sample.values);
    if (sample.values[0] || sample.values[1] || sample.values[2] || sample.values[3])
        visit->emit(&sample, visit->emit_context);
}

static void for_each_stack_sample(void *context,
                                  void (*emit)(const struct libleak_profile_sample *sample,
                                               void *emit_context),
                                  void *emit_context)
{
    (void)context;
    struct stack_visit visit = {emit, emit_context};
    libleak_stacks_for_each(emit_stack, &visit);
}

struct sample_list {
    struct libleak_pprof_builder *builder;
    int64_t bytes_key, age_key, seconds_unit, thread_key, lifetime_key, nanoseconds_unit;
    bool failed;
    uint64_t added, left_out; /* samples; left out near a memory limit (see add_sample) */
};

/* What a profile needs after its samples (mappings, comments; the compressor's state is taken
   before), kept when a dump runs on the reserve (memory.h). */
#define TAIL_BYTES (256u << 10)

/* The "bytes" label: the average block size, of the allocations or (for a sample of live
   blocks only, as the age classes give) of the blocks in use. */
static int64_t average_size(const int64_t values[4])
{
    if (values[0])
        return values[1] / values[0];
    return values[2] ? values[3] / values[2] : 0;
}

static void add_sample(const struct libleak_profile_sample *source, void *context)
{
    struct sample_list *list = context;
    struct libleak_pprof_builder *builder = list->builder;
    if (list->failed)
        return;
    /* Near RLIMIT_AS the arena lives on the reserve taken at start: rather than lose the whole
       profile, the samples stop while the rest still fits, and a comment says how many. */
    if (list->left_out || (libleak_arena_reserve_in_use() && libleak_arena_reserve_left() < TAIL_BYTES)) {
        list->left_out++;
        return;
    }
    list->added++;
    Sample *sample = libleak_pprof_add_sample(builder, source->frames, source->depth, source->values, 4, 4);
    if (!sample ||
        !libleak_pprof_add_label(builder, sample, list->bytes_key, average_size(source->values), 0))
        list->failed = true;
    else if (source->age_seconds >= 0 && !libleak_pprof_add_label(builder, sample, list->age_key,
                                                                  source->age_seconds, list->seconds_unit))
        list->failed = true;
    else if (source->thread && !libleak_pprof_add_string_label(builder, sample, list->thread_key,
                                                               libleak_pprof_string(builder, source->thread)))
        list->failed = true;
    else if (source->lifetime_nanos >= 0 &&
             !libleak_pprof_add_label(builder, sample, list->lifetime_key, source->lifetime_nanos,
                                      list->nanoseconds_unit))
        list->failed = true;
}

/*
 * libdw must not run short of memory (memory_limits.h). Under a memory limit (ulimit -v, ulimit -d, the cgroup's:
 * memory_limits.c) we check the headroom first and, where it is short, name only the addresses
 * symbolized before (the watch warms that cache while memory is plentiful) and write the rest as
 * addresses: pprof can still symbolize them from the binaries, since the mappings and build IDs
 * are there.
 */

static bool room_to_symbolize(uint64_t *headroom, char *limit_name, unsigned name_size)
{
    *headroom = libleak_limits_headroom(limit_name, name_size);
    return *headroom >= LIBLEAK_SYMBOLIZE_HEADROOM;
}

/*
 * What the process and its allocator hold, beside the sampled estimate: resident memory
 * grows without a leak when the allocator keeps freed memory (fragmentation, arenas), and a
 * reader can only tell the two apart with both numbers in the profile. They go in as
 * comments whose wording common/profile_comments.h defines for us and for leakprof, which
 * reads them back.
 * mallinfo2 describes glibc's arenas, which mean nothing when jemalloc or tcmalloc is the
 * allocator underneath (os/libc.h).
 */
/* A mallinfo2 call this slow is not repeated (see add_memory_comments). */
#define MALLINFO_SLOW_MS 20

/* glibc 2.33 and later; weak, so that an older glibc loads the library all the same. */
extern struct mallinfo2 mallinfo2(void) __attribute__((weak));

static void add_memory_comments(struct libleak_pprof_builder *builder)
{
    struct libleak_statm statm;
    uint64_t resident = libleak_statm_read(&statm) ? statm.resident : 0;
    if (resident)
        libleak_pprof_add_comment(builder, LIBLEAK_COMMENT_RESIDENT, (unsigned long long)resident);
    /*
     * mallinfo2 walks every free chunk of every arena, each under that arena's lock: the
     * program's mallocs wait meanwhile (measured: 0.2 s for a million free chunks). One slow
     * call is allowed; after it, profiles say why the figures are missing.
     */
    static _Atomic uint64_t slow_mallinfo_ms;
    uint64_t slow_ms = atomic_load(&slow_mallinfo_ms);
    if (mallinfo2 && libleak_allocator_is_glibc() && slow_ms) {
        libleak_pprof_add_comment(builder, LIBLEAK_COMMENT_ALLOCATOR_SLOW, (unsigned long long)slow_ms);
    } else if (mallinfo2 && libleak_allocator_is_glibc()) {
        struct timespec before, after;
        clock_gettime(CLOCK_MONOTONIC, &before);
        struct mallinfo2 info = mallinfo2();
        clock_gettime(CLOCK_MONOTONIC, &after);
        uint64_t ms = (uint64_t)((after.tv_sec - before.tv_sec) * 1000 +
                                 (after.tv_nsec - before.tv_nsec) / 1000000);
        if (ms >= MALLINFO_SLOW_MS)
            atomic_store(&slow_mallinfo_ms, ms);
        libleak_pprof_add_comment(builder, LIBLEAK_COMMENT_ALLOCATOR, (unsigned long long)info.uordblks,
                                  (unsigned long long)info.fordblks, (unsigned long long)info.hblkhd,
                                  (unsigned long long)info.arena);
    }
}

static bool build(struct libleak_pprof_builder *builder, const struct libleak_profile_request *request)
{
    static const struct libleak_profile_source stack_table = {for_each_stack_sample, NULL, 0};
    const struct libleak_profile_source *source = request->source ? request->source : &stack_table;
    uint64_t expected_stacks = libleak_stacks_count() + 64;
    uint64_t expected_samples = source->expected_samples ? source->expected_samples : expected_stacks;
    /* On the reserve (the compressor's state already had to go there: memory.h), tables sized
       for every stack would leave no room for samples (8192 stacks took 1 MiB of the 2 MiB
       before the first one, and the exit profile was lost: lib_address_space_full). They start
       small and grow while they can; add_sample stops with room left for the tail. */
    if (libleak_arena_reserve_in_use()) {
        expected_stacks = expected_stacks < 256 ? expected_stacks : 256;
        expected_samples = expected_samples < 256 ? expected_samples : 256;
    }
    if (!libleak_pprof_begin(builder, expected_stacks * 4, expected_samples))
        return false;
    Profile *profile = &builder->profile;

    /* The stack table's sources (its counters, the age classes) have nothing to say while no
       stack is interned: the exit profile is then empty, and a short-lived process that
       sampled nothing (echo at the default rate) pays for no walk of the tables (2 MiB of
       never-touched slots: ~5 ms of page faults), no module list and no names (libleak(3),
       LIBLEAK_AT_EXIT). Other dumps, asked for, keep the module list. */
    bool nothing_sampled = request->empty_when_nothing_sampled &&
                           (source == &stack_table || source == libleak_ages_source()) &&
                           libleak_stacks_count() == 0;
    uint64_t headroom = 0;
    char limit_name[48] = "";
    bool short_of_memory = builder->symbolize && !nothing_sampled &&
                           !room_to_symbolize(&headroom, limit_name, sizeof limit_name);
    if (short_of_memory) {
        builder->symbolize = false;
        builder->cached_names_only = true;
    }
    if (!nothing_sampled)
        libleak_symbols_refresh();

    ValueType **sample_types = libleak_pprof_alloc(builder, 4 * sizeof *sample_types);
    if (!sample_types)
        return false;
    sample_types[0] = libleak_pprof_value_type(builder, "alloc_objects", "count");
    sample_types[1] = libleak_pprof_value_type(builder, "alloc_space", "bytes");
    sample_types[2] = libleak_pprof_value_type(builder, "inuse_objects", "count");
    sample_types[3] = libleak_pprof_value_type(builder, "inuse_space", "bytes");
    profile->sample_type = sample_types;
    profile->n_sample_type = 4;
    profile->period_type = libleak_pprof_value_type(builder, "space", "bytes");
    profile->period = (int64_t)libleak_config.rate;
    profile->default_sample_type = libleak_pprof_string(builder, "inuse_space");
    profile->drop_frames = libleak_pprof_string(builder, ALLOCATOR_WRAPPERS);
    int64_t now = libleak_wall_nanos();
    profile->time_nanos = now;
    profile->duration_nanos = now > request->start_nanos ? now - request->start_nanos : 0;

    struct sample_list list = {.builder = builder};
    list.bytes_key = libleak_pprof_string(builder, "bytes");
    list.age_key = libleak_pprof_string(builder, "age");
    list.seconds_unit = libleak_pprof_string(builder, "seconds");
    list.thread_key = libleak_pprof_string(builder, "thread");
    list.lifetime_key = libleak_pprof_string(builder, "lifetime");
    list.nanoseconds_unit = libleak_pprof_string(builder, "nanoseconds");
    if (!nothing_sampled)
        source->for_each(source->context, add_sample, &list);
    if (list.failed)
        return false;
    if (!nothing_sampled && !libleak_pprof_add_mappings(builder))
        return false;

    if (list.left_out)
        libleak_pprof_add_comment(builder,
                                  "samples cut short near a memory limit: %llu written, %llu left out",
                                  (unsigned long long)list.added, (unsigned long long)list.left_out);
    if (short_of_memory)
        libleak_pprof_add_comment(
                builder,
                "names only where known before: %llu MiB left under %s; pprof can symbolize the rest from the binaries",
                (unsigned long long)(headroom >> 20), limit_name);
    libleak_pprof_add_comment(builder, "libleak heap profile, sampling every %llu bytes on average%s",
                              (unsigned long long)libleak_config.rate,
                              libleak_config.rate == 1 ? " (exact)" : "");
    if (libleak_settings_note())
        libleak_pprof_add_comment(builder, "%s", libleak_settings_note());
    libleak_pprof_add_comment(builder, LIBLEAK_COMMENT_SAMPLES, (unsigned long long)libleak_stacks_samples(),
                              (unsigned long long)atomic_load(&libleak_counters.dropped_stacks),
                              (unsigned long long)atomic_load(&libleak_counters.dropped_live));
    if (libleak_thread_names_folded())
        libleak_pprof_add_comment(builder, "thread names: %llu past the %d kept, labelled other",
                                  (unsigned long long)libleak_thread_names_folded(), LIBLEAK_THREAD_NAMES_MAX);
    libleak_pprof_add_comment(builder, "stacks: %llu of at most %llu; live sampled blocks: %llu",
                              (unsigned long long)libleak_stacks_count(),
                              (unsigned long long)libleak_stacks_capacity(),
                              (unsigned long long)libleak_live_count());
    libleak_pprof_add_comment(
            builder, "internal memory: %llu bytes mapped of at most %llu (LIBLEAK_MAX_MEMORY)",
            (unsigned long long)libleak_memory_mapped(), (unsigned long long)libleak_config.max_memory);
    add_memory_comments(builder);
    char unwinding[256];
    libleak_unwind_describe(unwinding, sizeof unwinding);
    libleak_pprof_add_comment(builder, "%s", unwinding);
    for (int i = 0; i < LIBLEAK_PROFILE_EXTRA_COMMENTS; i++)
        if (request->extra_comments[i])
            libleak_pprof_add_comment(builder, "%s", request->extra_comments[i]);
    return libleak_pprof_finish(builder);
}

int libleak_profile_write(int fd, const struct libleak_profile_request *request)
{
    struct libleak_pprof_builder builder = {.symbolize = request->symbolize};
    int result = -1;
    struct libleak_gzip_sink *sink = libleak_gzip_open(fd, &builder.arena); /* before the build */
    bool built = sink && build(&builder, request);
    libleak_symbols_close_files(); /* hold no descriptor of the program's between dumps */
    if (built)
        result = libleak_gzip_write_message(sink, &builder.profile.base);
    else
        errno = ENOMEM;
    libleak_arena_release(&builder.arena);
    return result;
}
