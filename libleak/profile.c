/*
 * profile — the pprof heap profile, as Go writes one.
 *
 * Four sample types: alloc_objects/count, alloc_space/bytes, inuse_objects/count,
 * inuse_space/bytes (the default); period_type space/bytes with period = the rate. Values are
 * final (pprof never rescales a proto profile): each stack's counters already hold the sum of
 * its samples' unbiased weights (sampler.h). Each sample carries a numeric label "bytes" with
 * the stack's average block size, like Go's.
 *
 * Every distinct return address becomes one location. Its address is the return address minus
 * one, so that it and its line name the call, not the instruction after it. Symbolization
 * (symbols.c) fills names, files and lines and tells which mappings have them, so that pprof
 * does not try to symbolize those again; mappings keep their path and build ID either way.
 *
 * All the message's memory comes from one arena, released when the file is written; the packed
 * message streams through zlib straight to the file, never held whole in memory.
 */
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/profile.pb-c.h"

#include "config.h"
#include "descriptors.h"
#include "gzip_writer.h"
#include "memory_limits.h"
#include "live.h"
#include "memory.h"
#include "real.h"
#include "sampler.h"
#include "stacks.h"
#include "symbols.h"
#include "track.h"
#include "unwind.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__ValueType ValueType;

/* A growable open-addressing map from a 64-bit key (or a string's hash) to a 1-based id. */
struct id_map {
    uint64_t *keys;
    uint32_t *ids;
    uint64_t mask;
    uint64_t used;
};

struct builder {
    struct libleak_arena arena;
    bool out_of_memory;
    struct id_map string_ids;
    char **strings;
    uint64_t string_count, string_capacity;
    struct id_map location_ids;
    Location **locations;
    uint64_t location_count, location_capacity;
    struct id_map function_ids;
    Function **functions;
    uint64_t function_count, function_capacity;
    bool symbolize;
    bool cached_names_only; /* short of memory: names only for addresses symbolized before */
};

static void *arena_alloc(struct builder *builder, size_t bytes)
{
    void *memory = libleak_arena_alloc(&builder->arena, bytes);
    if (!memory)
        builder->out_of_memory = true;
    return memory;
}

/* Grows an array of pointers by doubling; the old copy stays in the arena until the end. */
static bool reserve(struct builder *builder, void ***array, uint64_t *capacity, uint64_t needed)
{
    if (needed <= *capacity)
        return true;
    uint64_t grown = *capacity ? *capacity * 2 : 256;
    while (grown < needed)
        grown *= 2;
    void **fresh = arena_alloc(builder, grown * sizeof *fresh);
    if (!fresh)
        return false;
    if (*capacity)
        memcpy(fresh, *array, *capacity * sizeof *fresh);
    *array = fresh;
    *capacity = grown;
    return true;
}

static bool id_map_init(struct builder *builder, struct id_map *map, uint64_t expected)
{
    uint64_t slots = 1024;
    while (slots < expected * 2)
        slots <<= 1;
    map->keys = arena_alloc(builder, slots * sizeof *map->keys);
    map->ids = arena_alloc(builder, slots * sizeof *map->ids);
    map->mask = slots - 1;
    map->used = 0;
    return map->keys && map->ids;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 33;
    return x;
}

/* Finds the slot for key; `same(id)` confirms a candidate with an equal key. */
static uint64_t id_map_slot(struct id_map *map, uint64_t key,
                            bool (*same)(struct builder *, uint32_t, const void *), struct builder *builder,
                            const void *what)
{
    uint64_t position = mix(key) & map->mask;
    while (map->ids[position] &&
           (map->keys[position] != key || (same && !same(builder, map->ids[position], what))))
        position = (position + 1) & map->mask;
    return position;
}

/* Records key -> id in the slot id_map_slot found empty. */
static void id_map_set(struct id_map *map, uint64_t slot, uint64_t key, uint32_t id)
{
    map->keys[slot] = key;
    map->ids[slot] = id;
    map->used++;
}

static bool id_map_grow_if_needed(struct builder *builder, struct id_map *map)
{
    if (map->used * 2 < map->mask)
        return true;
    struct id_map grown;
    if (!id_map_init(builder, &grown, (map->mask + 1)))
        return false;
    for (uint64_t i = 0; i <= map->mask; i++) {
        if (!map->ids[i])
            continue;
        uint64_t position = mix(map->keys[i]) & grown.mask;
        while (grown.ids[position])
            position = (position + 1) & grown.mask;
        grown.keys[position] = map->keys[i];
        grown.ids[position] = map->ids[i];
    }
    grown.used = map->used;
    *map = grown;
    return true;
}

static uint64_t hash_string(const char *text)
{
    uint64_t hash = 0xCBF29CE484222325ULL;
    for (; *text; text++)
        hash = (hash ^ (unsigned char)*text) * 0x100000001B3ULL;
    return hash;
}

static bool same_string(struct builder *builder, uint32_t id, const void *text)
{
    return strcmp(builder->strings[id - 1], text) == 0;
}

/* The string's index in string_table (0 is ""). */
static int64_t string_index(struct builder *builder, const char *text)
{
    if (!text || !*text)
        return 0;
    if (!id_map_grow_if_needed(builder, &builder->string_ids))
        return 0;
    uint64_t hash = hash_string(text);
    uint64_t slot = id_map_slot(&builder->string_ids, hash, same_string, builder, text);
    if (builder->string_ids.ids[slot])
        return builder->string_ids.ids[slot] - 1;
    if (!reserve(builder, (void ***)&builder->strings, &builder->string_capacity, builder->string_count + 1))
        return 0;
    size_t length = strlen(text);
    char *copy = arena_alloc(builder, length + 1);
    if (!copy)
        return 0;
    memcpy(copy, text, length + 1);
    builder->strings[builder->string_count++] = copy;
    id_map_set(&builder->string_ids, slot, hash, (uint32_t)builder->string_count);
    return (int64_t)builder->string_count - 1;
}

struct function_key {
    int64_t name, system_name, file;
};

static bool same_function(struct builder *builder, uint32_t id, const void *what)
{
    const struct function_key *key = what;
    const Function *function = builder->functions[id - 1];
    return function->name == key->name && function->system_name == key->system_name &&
           function->filename == key->file;
}

static uint64_t function_id(struct builder *builder, const struct libleak_line *line)
{
    struct function_key key = {string_index(builder, line->function),
                               string_index(builder, line->system_name), string_index(builder, line->file)};
    if (!id_map_grow_if_needed(builder, &builder->function_ids))
        return 0;
    uint64_t hash = mix((uint64_t)key.name * 31 + (uint64_t)key.system_name) ^ (uint64_t)key.file;
    uint64_t slot = id_map_slot(&builder->function_ids, hash, same_function, builder, &key);
    if (builder->function_ids.ids[slot])
        return builder->function_ids.ids[slot];
    Function *function = arena_alloc(builder, sizeof *function);
    if (!function || !reserve(builder, (void ***)&builder->functions, &builder->function_capacity,
                              builder->function_count + 1))
        return 0;
    perftools__profiles__function__init(function);
    function->id = builder->function_count + 1;
    function->name = key.name;
    function->system_name = key.system_name;
    function->filename = key.file;
    builder->functions[builder->function_count++] = function;
    id_map_set(&builder->function_ids, slot, hash, (uint32_t)function->id);
    return function->id;
}

static uint64_t location_id(struct builder *builder, uintptr_t return_address)
{
    if (!id_map_grow_if_needed(builder, &builder->location_ids))
        return 0;
    uint64_t slot = id_map_slot(&builder->location_ids, return_address, NULL, builder, NULL);
    if (builder->location_ids.ids[slot])
        return builder->location_ids.ids[slot];

    Location *location = arena_alloc(builder, sizeof *location);
    if (!location || !reserve(builder, (void ***)&builder->locations, &builder->location_capacity,
                              builder->location_count + 1))
        return 0;
    perftools__profiles__location__init(location);
    location->id = builder->location_count + 1;
    location->address = return_address - 1; /* the call instruction, not the one after it */

    struct libleak_line lines[LIBLEAK_MAX_INLINE];
    int mapping_index = -1;
    int line_count = builder->cached_names_only
                             ? libleak_symbols_lookup_cached(location->address, lines, LIBLEAK_MAX_INLINE,
                                                             &mapping_index)
                             : libleak_symbols_lookup(location->address, builder->symbolize, lines,
                                                      LIBLEAK_MAX_INLINE, &mapping_index);
    location->mapping_id = mapping_index >= 0 ? (uint64_t)mapping_index + 1 : 0;
    if (line_count > 0) {
        location->line = arena_alloc(builder, (size_t)line_count * sizeof *location->line);
        Line *storage = arena_alloc(builder, (size_t)line_count * sizeof *storage);
        if (!location->line || !storage)
            return 0;
        for (int i = 0; i < line_count; i++) {
            perftools__profiles__line__init(&storage[i]);
            storage[i].function_id = function_id(builder, &lines[i]);
            storage[i].line = lines[i].line;
            location->line[i] = &storage[i];
        }
        location->n_line = (size_t)line_count;
    }
    builder->locations[builder->location_count++] = location;
    id_map_set(&builder->location_ids, slot, return_address, (uint32_t)location->id);
    return location->id;
}

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

/* The four values of one stack, rounded from fixed point; false when it never allocated. */
static bool stack_values(const struct libleak_stack *stack, int64_t values[4])
{
    struct libleak_stack_totals totals;
    libleak_stacks_totals(stack, &totals);
    libleak_profile_values(&totals, values);
    return totals.alloc_objects != 0;
}

struct stack_visit {
    void (*emit)(const struct libleak_profile_sample *sample, void *emit_context);
    void *emit_context;
};

/* The samples of the default source: every stack that has allocated, with its counters. */
static void emit_stack(struct libleak_stack *stack, void *context)
{
    struct stack_visit *visit = context;
    struct libleak_profile_sample sample = {stack->frames, stack->depth, {0}, -1};
    if (!stack_values(stack, sample.values))
        return; /* interned, but nothing charged yet */
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
    struct builder *builder;
    Profile *profile;
    uint64_t capacity;
    int64_t bytes_key, age_key, seconds_unit;
    bool failed;
};

static Label *numeric_label(struct builder *builder, int64_t key, int64_t value, int64_t unit)
{
    Label *label = arena_alloc(builder, sizeof *label);
    if (label) {
        perftools__profiles__label__init(label);
        label->key = key;
        label->num = value;
        label->num_unit = unit;
    }
    return label;
}

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
    struct builder *builder = list->builder;
    Profile *profile = list->profile;
    if (list->failed)
        return;
    if (profile->n_sample == list->capacity) {
        /* More samples than announced (stacks interned during the dump): grow, never drop. */
        uint64_t capacity = list->capacity * 2 + 64;
        Sample **grown = arena_alloc(builder, capacity * sizeof *grown);
        if (!grown) {
            list->failed = true;
            return;
        }
        memcpy(grown, profile->sample, profile->n_sample * sizeof *grown);
        profile->sample = grown;
        list->capacity = capacity;
    }
    Sample *sample = arena_alloc(builder, sizeof *sample);
    int64_t *values = arena_alloc(builder, 4 * sizeof *values);
    uint64_t *location_ids = arena_alloc(builder, (source->depth + 1) * sizeof *location_ids);
    Label **labels = arena_alloc(builder, 2 * sizeof *labels);
    if (!sample || !values || !location_ids || !labels) {
        list->failed = true;
        return;
    }
    perftools__profiles__sample__init(sample);
    memcpy(values, source->values, 4 * sizeof *values);
    sample->value = values;
    sample->n_value = 4;
    for (uint32_t i = 0; i < source->depth; i++)
        if ((location_ids[sample->n_location_id] = location_id(builder, source->frames[i])))
            sample->n_location_id++;
    sample->location_id = location_ids;
    sample->label = labels;
    if (!(labels[sample->n_label++] = numeric_label(builder, list->bytes_key, average_size(values), 0)))
        list->failed = true;
    if (source->age_seconds >= 0 &&
        !(labels[sample->n_label++] =
                  numeric_label(builder, list->age_key, source->age_seconds, list->seconds_unit)))
        list->failed = true;
    profile->sample[profile->n_sample++] = sample;
}

static ValueType *value_type(struct builder *builder, const char *type, const char *unit)
{
    ValueType *result = arena_alloc(builder, sizeof *result);
    if (result) {
        perftools__profiles__value_type__init(result);
        result->type = string_index(builder, type);
        result->unit = string_index(builder, unit);
    }
    return result;
}

static void add_comment(struct builder *builder, Profile *profile, int64_t *comments, const char *format, ...)
        __attribute__((format(printf, 4, 5)));

static void add_comment(struct builder *builder, Profile *profile, int64_t *comments, const char *format, ...)
{
    char text[256];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    comments[profile->n_comment++] = string_index(builder, text);
}

static int64_t now_nanos(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/*
 * libdw answers running out of memory by exiting the program (or by an assert), so symbolizing
 * must not start without room for it. Under a memory limit (ulimit -v, ulimit -d, the cgroup's:
 * memory_limits.c) we check the headroom first and, where it is short, name only the addresses
 * symbolized before (the watch warms that cache while memory is plentiful) and write the rest as
 * addresses: pprof can still symbolize them from the binaries, since the mappings and build IDs
 * are there.
 */
#define SYMBOLIZE_HEADROOM (256ULL << 20)

static bool room_to_symbolize(uint64_t *headroom, char *limit_name, unsigned name_size)
{
    *headroom = libleak_limits_headroom(limit_name, name_size);
    return *headroom >= SYMBOLIZE_HEADROOM;
}

/*
 * What the process and its allocator hold, beside the sampled estimate: resident memory
 * grows without a leak when the allocator keeps freed memory (fragmentation, arenas), and a
 * reader can only tell the two apart with both numbers in the profile. They go in as
 * comments, "resident memory: N bytes (/proc/self/statm)" and "allocator (glibc
 * mallinfo2): ...", parsed by leakprof (tools/leakprof/process_memory.c): keep the wording.
 */
static uint64_t resident_bytes(void)
{
    int fd = libleak_open_high("/proc/self/statm", O_RDONLY, 0);
    if (fd < 0)
        return 0;
    char text[128] = "";
    ssize_t length = read(fd, text, sizeof text - 1);
    close(fd);
    unsigned long long size, resident;
    if (length <= 0 || sscanf(text, "%llu %llu", &size, &resident) != 2)
        return 0;
    return resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* A mallinfo2 call this slow is not repeated (see add_memory_comments). */
#define MALLINFO_SLOW_MS 20

/* glibc 2.33 and later; weak, so that an older glibc loads the library all the same. */
extern struct mallinfo2 mallinfo2(void) __attribute__((weak));

/*
 * mallinfo2 describes glibc's arenas, which mean nothing when jemalloc or tcmalloc is the
 * allocator underneath: ask only when the real malloc lies in libc's own mapping (the
 * module list of this dump; no loader call, so no loader lock).
 */
static bool allocator_is_glibc(void)
{
    uint64_t pc = (uint64_t)(uintptr_t)libleak_real.malloc;
    for (int i = 0; pc && i < libleak_symbols_mapping_count(); i++) {
        const struct libleak_mapping *m = libleak_symbols_mapping(i);
        if (pc >= m->start && pc < m->limit) {
            const char *slash = strrchr(m->path, '/');
            const char *base = slash ? slash + 1 : m->path;
            return strncmp(base, "libc.so", 7) == 0 || strncmp(base, "libc-", 5) == 0;
        }
    }
    return false;
}

static void add_memory_comments(struct builder *builder, Profile *profile, int64_t *comments)
{
    uint64_t resident = resident_bytes();
    if (resident)
        add_comment(builder, profile, comments, "resident memory: %llu bytes (/proc/self/statm)",
                    (unsigned long long)resident);
    /*
     * mallinfo2 walks every free chunk of every arena, each under that arena's lock: the
     * program's mallocs wait meanwhile (measured: 0.2 s for a million free chunks). One slow
     * call is allowed; after it, profiles say why the figures are missing.
     */
    static _Atomic uint64_t slow_mallinfo_ms;
    uint64_t slow_ms = atomic_load(&slow_mallinfo_ms);
    if (mallinfo2 && allocator_is_glibc() && slow_ms) {
        add_comment(builder, profile, comments,
                    "allocator (glibc mallinfo2): not asked again, it took %llu ms under glibc's arena locks",
                    (unsigned long long)slow_ms);
    } else if (mallinfo2 && allocator_is_glibc()) {
        struct timespec before, after;
        clock_gettime(CLOCK_MONOTONIC, &before);
        struct mallinfo2 info = mallinfo2();
        clock_gettime(CLOCK_MONOTONIC, &after);
        uint64_t ms = (uint64_t)((after.tv_sec - before.tv_sec) * 1000 +
                                 (after.tv_nsec - before.tv_nsec) / 1000000);
        if (ms >= MALLINFO_SLOW_MS)
            atomic_store(&slow_mallinfo_ms, ms);
        add_comment(builder, profile, comments,
                    "allocator (glibc mallinfo2): %llu bytes in use, %llu bytes free in arenas, "
                    "%llu bytes in mmapped blocks, %llu bytes of arenas",
                    (unsigned long long)info.uordblks, (unsigned long long)info.fordblks,
                    (unsigned long long)info.hblkhd, (unsigned long long)info.arena);
    }
}

static bool build_mappings(struct builder *builder, Profile *profile)
{
    int count = libleak_symbols_mapping_count();
    profile->mapping = arena_alloc(builder, (size_t)(count + 1) * sizeof *profile->mapping);
    if (!profile->mapping)
        return false;
    for (int i = 0; i < count; i++) {
        const struct libleak_mapping *source = libleak_symbols_mapping(i);
        Mapping *mapping = arena_alloc(builder, sizeof *mapping);
        if (!mapping)
            return false;
        perftools__profiles__mapping__init(mapping);
        mapping->id = (uint64_t)i + 1;
        mapping->memory_start = source->start;
        mapping->memory_limit = source->limit;
        mapping->file_offset = source->file_offset;
        mapping->filename = string_index(builder, source->path);
        mapping->build_id = string_index(builder, source->build_id);
        mapping->has_functions = source->has_functions;
        mapping->has_filenames = source->has_filenames;
        mapping->has_line_numbers = source->has_line_numbers;
        mapping->has_inline_frames = source->has_inline_frames;
        profile->mapping[profile->n_mapping++] = mapping;
    }
    return true;
}

static bool build(struct builder *builder, Profile *profile, const struct libleak_profile_request *request)
{
    perftools__profiles__profile__init(profile);
    uint64_t expected_stacks = libleak_stacks_count() + 64;
    if (!id_map_init(builder, &builder->string_ids, 1024) ||
        !id_map_init(builder, &builder->location_ids, expected_stacks * 4) ||
        !id_map_init(builder, &builder->function_ids, 1024))
        return false;
    if (!reserve(builder, (void ***)&builder->strings, &builder->string_capacity, 1))
        return false;
    builder->strings[builder->string_count++] = ""; /* string_table[0] must be "" */

    uint64_t headroom = 0;
    char limit_name[48] = "";
    bool short_of_memory = builder->symbolize && !room_to_symbolize(&headroom, limit_name, sizeof limit_name);
    if (short_of_memory) {
        builder->symbolize = false;
        builder->cached_names_only = true;
    }
    libleak_symbols_refresh();

    ValueType **sample_types = arena_alloc(builder, 4 * sizeof *sample_types);
    if (!sample_types)
        return false;
    sample_types[0] = value_type(builder, "alloc_objects", "count");
    sample_types[1] = value_type(builder, "alloc_space", "bytes");
    sample_types[2] = value_type(builder, "inuse_objects", "count");
    sample_types[3] = value_type(builder, "inuse_space", "bytes");
    profile->sample_type = sample_types;
    profile->n_sample_type = 4;
    profile->period_type = value_type(builder, "space", "bytes");
    profile->period = (int64_t)libleak_config.rate;
    profile->default_sample_type = string_index(builder, "inuse_space");
    profile->drop_frames = string_index(builder, ALLOCATOR_WRAPPERS);
    int64_t now = now_nanos();
    profile->time_nanos = now;
    profile->duration_nanos = now > request->start_nanos ? now - request->start_nanos : 0;

    static const struct libleak_profile_source stack_table = {for_each_stack_sample, NULL, 0};
    const struct libleak_profile_source *source = request->source ? request->source : &stack_table;
    struct sample_list list = {.builder = builder,
                               .profile = profile,
                               .capacity =
                                       source->expected_samples ? source->expected_samples : expected_stacks};
    list.bytes_key = string_index(builder, "bytes");
    list.age_key = string_index(builder, "age");
    list.seconds_unit = string_index(builder, "seconds");
    profile->sample = arena_alloc(builder, (list.capacity + 1) * sizeof *profile->sample);
    if (!profile->sample)
        return false;
    source->for_each(source->context, add_sample, &list);
    if (list.failed)
        return false;
    /* Mappings last: the lookups above set their has_functions flags. */
    if (!build_mappings(builder, profile))
        return false;
    profile->location = builder->locations;
    profile->n_location = builder->location_count;
    profile->function = builder->functions;
    profile->n_function = builder->function_count;

    enum { OWN_COMMENTS = 8 }; /* the lines added below */
    int64_t *comments =
            arena_alloc(builder, (OWN_COMMENTS + LIBLEAK_PROFILE_EXTRA_COMMENTS) * sizeof *comments);
    if (comments && short_of_memory)
        add_comment(
                builder, profile, comments,
                "names only where known before: %llu MiB left under %s; pprof can symbolize the rest from the binaries",
                (unsigned long long)(headroom >> 20), limit_name);
    if (!comments)
        return false;
    profile->comment = comments;
    add_comment(builder, profile, comments, "libleak heap profile, sampling every %llu bytes on average%s",
                (unsigned long long)libleak_config.rate, libleak_config.rate == 1 ? " (exact)" : "");
    add_comment(builder, profile, comments,
                "samples taken: %llu; dropped: %llu (stack table full), %llu (live table full)",
                (unsigned long long)libleak_stacks_samples(),
                (unsigned long long)atomic_load(&libleak_counters.dropped_stacks),
                (unsigned long long)atomic_load(&libleak_counters.dropped_live));
    add_comment(builder, profile, comments, "stacks: %llu of at most %llu; live sampled blocks: %llu",
                (unsigned long long)libleak_stacks_count(), (unsigned long long)libleak_stacks_capacity(),
                (unsigned long long)libleak_live_count());
    add_comment(builder, profile, comments,
                "internal memory: %llu bytes mapped of at most %llu (LIBLEAK_MAX_MEMORY)",
                (unsigned long long)libleak_memory_mapped(), (unsigned long long)libleak_config.max_memory);
    add_memory_comments(builder, profile, comments);
    char unwinding[256];
    libleak_unwind_describe(unwinding, sizeof unwinding);
    add_comment(builder, profile, comments, "%s", unwinding);
    for (int i = 0; i < LIBLEAK_PROFILE_EXTRA_COMMENTS; i++)
        if (request->extra_comments[i])
            add_comment(builder, profile, comments, "%s", request->extra_comments[i]);
    profile->string_table = builder->strings;
    profile->n_string_table = builder->string_count;
    libleak_symbols_close_files(); /* hold no descriptor of the program's between dumps */
    return !builder->out_of_memory;
}

int libleak_profile_write(int fd, const struct libleak_profile_request *request)
{
    struct builder builder = {.symbolize = request->symbolize};
    Profile profile;
    int result = -1;
    if (build(&builder, &profile, request))
        result = libleak_gzip_write_message(fd, &profile.base, &builder.arena);
    else
        errno = ENOMEM;
    libleak_arena_release(&builder.arena);
    return result;
}
