/*
 * pprof_builder — the tables of a pprof Profile message: strings, functions, locations and
 * mappings, each entered once and referred to by index or id, as the format wants.
 *
 * Each is deduplicated through an id map (common/id_map.h, in the arena) keyed by a string's
 * hash, a function's three string indices mixed, or a return address; a callback confirms a
 * candidate when two keys hash alike. Every location is a return address minus one, so that
 * it and its line name the call, not the instruction after it. Symbolization (symbols.c)
 * fills names, files and lines and tells which mappings have them, so that pprof does not try
 * to symbolize those again; mappings keep their path and build ID either way.
 *
 * Runs in the dumper, inside libleak; memory comes from the builder's arena only.
 */
#include "dump/pprof_builder.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/hash.h"
#include "dump/id_map_arena.h"
#include "dump/symbols.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__ValueType ValueType;

void *libleak_pprof_alloc(struct libleak_pprof_builder *builder, size_t bytes)
{
    void *memory = libleak_arena_alloc(&builder->arena, bytes);
    if (!memory)
        builder->out_of_memory = true;
    return memory;
}

/* Grows an array of pointers by doubling; the old copy stays in the arena until the end. */
static bool reserve(struct libleak_pprof_builder *builder, void ***array, uint64_t *capacity, uint64_t needed)
{
    if (needed <= *capacity)
        return true;
    uint64_t grown = *capacity ? *capacity * 2 : 256;
    while (grown < needed)
        grown *= 2;
    void **fresh = libleak_pprof_alloc(builder, grown * sizeof *fresh);
    if (!fresh)
        return false;
    if (*capacity)
        memcpy(fresh, *array, *capacity * sizeof *fresh);
    *array = fresh;
    *capacity = grown;
    return true;
}

/* Room for one more entry in one of the builder's maps. */
static bool reserve_id(struct libleak_pprof_builder *builder, struct libleak_id_map *map)
{
    if (libleak_id_map_reserve(map))
        return true;
    builder->out_of_memory = true;
    return false;
}

static bool same_string(const void *owner, uint32_t id, const void *text)
{
    const struct libleak_pprof_builder *builder = owner;
    return strcmp(builder->strings[id - 1], text) == 0;
}

/* The string's index in string_table (0 is ""). */
int64_t libleak_pprof_string(struct libleak_pprof_builder *builder, const char *text)
{
    if (!text || !*text)
        return 0;
    if (!reserve_id(builder, &builder->string_ids))
        return 0;
    uint64_t hash = libleak_hash_string(text);
    uint64_t slot = libleak_id_map_slot(&builder->string_ids, hash, same_string, builder, text);
    if (builder->string_ids.ids[slot])
        return builder->string_ids.ids[slot] - 1;
    if (!reserve(builder, (void ***)&builder->strings, &builder->string_capacity, builder->string_count + 1))
        return 0;
    size_t length = strlen(text);
    char *copy = libleak_pprof_alloc(builder, length + 1);
    if (!copy)
        return 0;
    memcpy(copy, text, length + 1);
    builder->strings[builder->string_count++] = copy;
    libleak_id_map_set(&builder->string_ids, slot, hash, (uint32_t)builder->string_count);
    return (int64_t)builder->string_count - 1;
}

struct function_key {
    int64_t name, system_name, file;
};

static bool same_function(const void *owner, uint32_t id, const void *what)
{
    const struct libleak_pprof_builder *builder = owner;
    const struct function_key *key = what;
    const Function *function = builder->functions[id - 1];
    return function->name == key->name && function->system_name == key->system_name &&
           function->filename == key->file;
}

static uint64_t function_id(struct libleak_pprof_builder *builder, const struct libleak_line *line)
{
    struct function_key key = {libleak_pprof_string(builder, line->function),
                               libleak_pprof_string(builder, line->system_name),
                               libleak_pprof_string(builder, line->file)};
    if (!reserve_id(builder, &builder->function_ids))
        return 0;
    uint64_t hash =
            libleak_hash_mix((uint64_t)key.name * 31 + (uint64_t)key.system_name) ^ (uint64_t)key.file;
    uint64_t slot = libleak_id_map_slot(&builder->function_ids, hash, same_function, builder, &key);
    if (builder->function_ids.ids[slot])
        return builder->function_ids.ids[slot];
    Function *function = libleak_pprof_alloc(builder, sizeof *function);
    if (!function || !reserve(builder, (void ***)&builder->functions, &builder->function_capacity,
                              builder->function_count + 1))
        return 0;
    perftools__profiles__function__init(function);
    function->id = builder->function_count + 1;
    function->name = key.name;
    function->system_name = key.system_name;
    function->filename = key.file;
    builder->functions[builder->function_count++] = function;
    libleak_id_map_set(&builder->function_ids, slot, hash, (uint32_t)function->id);
    return function->id;
}

static uint64_t location_id(struct libleak_pprof_builder *builder, uintptr_t return_address)
{
    if (!reserve_id(builder, &builder->location_ids))
        return 0;
    uint64_t slot = libleak_id_map_slot(&builder->location_ids, return_address, NULL, builder, NULL);
    if (builder->location_ids.ids[slot])
        return builder->location_ids.ids[slot];

    Location *location = libleak_pprof_alloc(builder, sizeof *location);
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
        location->line = libleak_pprof_alloc(builder, (size_t)line_count * sizeof *location->line);
        Line *storage = libleak_pprof_alloc(builder, (size_t)line_count * sizeof *storage);
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
    libleak_id_map_set(&builder->location_ids, slot, return_address, (uint32_t)location->id);
    return location->id;
}

/* Grows the sample array when more samples come than announced (stacks interned during the
   dump): a sample is never dropped. */
static bool room_for_sample(struct libleak_pprof_builder *builder)
{
    Profile *profile = &builder->profile;
    if (profile->n_sample < builder->sample_capacity)
        return true;
    uint64_t capacity = builder->sample_capacity * 2 + 64;
    Sample **grown = libleak_pprof_alloc(builder, capacity * sizeof *grown);
    if (!grown)
        return false;
    memcpy(grown, profile->sample, profile->n_sample * sizeof *grown);
    profile->sample = grown;
    builder->sample_capacity = capacity;
    return true;
}

Sample *libleak_pprof_add_sample(struct libleak_pprof_builder *builder, const uintptr_t *frames,
                                 uint32_t depth, const int64_t *values, size_t value_count, size_t max_labels)
{
    if (!room_for_sample(builder))
        return NULL;
    Sample *sample = libleak_pprof_alloc(builder, sizeof *sample);
    int64_t *sample_values = libleak_pprof_alloc(builder, value_count * sizeof *sample_values);
    uint64_t *location_ids = libleak_pprof_alloc(builder, (depth + 1) * sizeof *location_ids);
    Label **labels = libleak_pprof_alloc(builder, (max_labels + 1) * sizeof *labels);
    if (!sample || !sample_values || !location_ids || !labels)
        return NULL;
    perftools__profiles__sample__init(sample);
    memcpy(sample_values, values, value_count * sizeof *sample_values);
    sample->value = sample_values;
    sample->n_value = value_count;
    for (uint32_t i = 0; i < depth; i++)
        if ((location_ids[sample->n_location_id] = location_id(builder, frames[i])))
            sample->n_location_id++;
    sample->location_id = location_ids;
    sample->label = labels;
    builder->profile.sample[builder->profile.n_sample++] = sample;
    return sample;
}

/* A new label of the sample with the key; NULL when out of memory. */
static Label *add_label(struct libleak_pprof_builder *builder, Sample *sample, int64_t key)
{
    Label *label = libleak_pprof_alloc(builder, sizeof *label);
    if (!label)
        return NULL;
    perftools__profiles__label__init(label);
    label->key = key;
    sample->label[sample->n_label++] = label;
    return label;
}

bool libleak_pprof_add_label(struct libleak_pprof_builder *builder, Sample *sample, int64_t key,
                             int64_t value, int64_t unit)
{
    Label *label = add_label(builder, sample, key);
    if (label) {
        label->num = value;
        label->num_unit = unit;
    }
    return label != NULL;
}

bool libleak_pprof_add_string_label(struct libleak_pprof_builder *builder, Sample *sample, int64_t key,
                                    int64_t text)
{
    Label *label = add_label(builder, sample, key);
    if (label)
        label->str = text;
    return label != NULL;
}

ValueType *libleak_pprof_value_type(struct libleak_pprof_builder *builder, const char *type, const char *unit)
{
    ValueType *result = libleak_pprof_alloc(builder, sizeof *result);
    if (result) {
        perftools__profiles__value_type__init(result);
        result->type = libleak_pprof_string(builder, type);
        result->unit = libleak_pprof_string(builder, unit);
    }
    return result;
}

void libleak_pprof_add_comment(struct libleak_pprof_builder *builder, const char *format, ...)
{
    Profile *profile = &builder->profile;
    if (profile->n_comment == builder->comment_capacity) {
        uint64_t capacity = builder->comment_capacity ? builder->comment_capacity * 2 : 16;
        int64_t *grown = libleak_pprof_alloc(builder, capacity * sizeof *grown);
        if (!grown)
            return;
        if (profile->n_comment)
            memcpy(grown, profile->comment, profile->n_comment * sizeof *grown);
        profile->comment = grown;
        builder->comment_capacity = capacity;
    }
    char text[256];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    profile->comment[profile->n_comment++] = libleak_pprof_string(builder, text);
}

bool libleak_pprof_add_mappings(struct libleak_pprof_builder *builder)
{
    Profile *profile = &builder->profile;
    int count = libleak_symbols_mapping_count();
    profile->mapping = libleak_pprof_alloc(builder, (size_t)(count + 1) * sizeof *profile->mapping);
    if (!profile->mapping)
        return false;
    for (int i = 0; i < count; i++) {
        const struct libleak_mapping *source = libleak_symbols_mapping(i);
        Mapping *mapping = libleak_pprof_alloc(builder, sizeof *mapping);
        if (!mapping)
            return false;
        perftools__profiles__mapping__init(mapping);
        mapping->id = (uint64_t)i + 1;
        mapping->memory_start = source->start;
        mapping->memory_limit = source->limit;
        mapping->file_offset = source->file_offset;
        mapping->filename = libleak_pprof_string(builder, source->path);
        mapping->build_id = libleak_pprof_string(builder, source->build_id);
        mapping->has_functions = source->has_functions;
        mapping->has_filenames = source->has_filenames;
        mapping->has_line_numbers = source->has_line_numbers;
        mapping->has_inline_frames = source->has_inline_frames;
        profile->mapping[profile->n_mapping++] = mapping;
    }
    return true;
}

bool libleak_pprof_begin(struct libleak_pprof_builder *builder, uint64_t expected_locations,
                         uint64_t expected_samples)
{
    Profile *profile = &builder->profile;
    perftools__profiles__profile__init(profile);
    if (!libleak_id_map_init_in_arena(&builder->string_ids, &builder->arena, 1024) ||
        !libleak_id_map_init_in_arena(&builder->location_ids, &builder->arena, expected_locations) ||
        !libleak_id_map_init_in_arena(&builder->function_ids, &builder->arena, 1024))
        return false;
    if (!reserve(builder, (void ***)&builder->strings, &builder->string_capacity, 1))
        return false;
    builder->strings[builder->string_count++] = ""; /* string_table[0] must be "" */
    builder->sample_capacity = expected_samples;
    profile->sample = libleak_pprof_alloc(builder, (expected_samples + 1) * sizeof *profile->sample);
    return profile->sample != NULL;
}

bool libleak_pprof_finish(struct libleak_pprof_builder *builder)
{
    Profile *profile = &builder->profile;
    profile->location = builder->locations;
    profile->n_location = builder->location_count;
    profile->function = builder->functions;
    profile->n_function = builder->function_count;
    profile->string_table = builder->strings;
    profile->n_string_table = builder->string_count;
    return !builder->out_of_memory;
}
