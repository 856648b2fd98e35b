/*
 * pprof_builder — how a pprof Profile message is put together, whatever the profile is about.
 *
 * It keeps the tables every profile shares: the string table, functions, locations (one per
 * return address, symbolized through symbols.c) and mappings, each deduplicated through an id
 * map, and appends samples and comments. All of it lives in the builder's arena, released by
 * the caller once the message is written. What goes into the profile (sample types, values,
 * labels, comments) is the heap profile's business (profile_writer.c): this file is Go's
 * runtime/pprof proto.go to profile_writer.c's protomem.go.
 */
#ifndef LIBLEAK_PPROF_BUILDER_H
#define LIBLEAK_PPROF_BUILDER_H
#include <stdbool.h>
#include <stdint.h>

#include "proto/profile.pb-c.h"

#include "common/id_map.h"
#include "alloc/memory.h"

struct libleak_pprof_builder {
    Perftools__Profiles__Profile profile;
    struct libleak_arena arena;
    bool out_of_memory;
    bool symbolize;         /* names and lines, or mappings only */
    bool cached_names_only; /* short of memory: names only for addresses symbolized before */
    struct libleak_id_map string_ids;
    char **strings;
    uint64_t string_count, string_capacity;
    struct libleak_id_map location_ids;
    Perftools__Profiles__Location **locations;
    uint64_t location_count, location_capacity;
    struct libleak_id_map function_ids;
    Perftools__Profiles__Function **functions;
    uint64_t function_count, function_capacity;
    uint64_t sample_capacity, comment_capacity;
};

/* Starts an empty profile; the expected counts only size the first tables. False when out of
   memory. Zero the builder and set symbolize first. */
bool libleak_pprof_begin(struct libleak_pprof_builder *builder, uint64_t expected_locations,
                         uint64_t expected_samples);

/* Zeroed memory from the builder's arena; NULL (and out_of_memory set) when there is none. */
void *libleak_pprof_alloc(struct libleak_pprof_builder *builder, size_t bytes);

/* The string's index in the string table (0 is "", also the answer to NULL). */
int64_t libleak_pprof_string(struct libleak_pprof_builder *builder, const char *text);

Perftools__Profiles__ValueType *libleak_pprof_value_type(struct libleak_pprof_builder *builder,
                                                         const char *type, const char *unit);

/* Appends a sample of the stack (return addresses, the allocation's caller first) with
   value_count values and room for max_labels labels. NULL when out of memory. */
Perftools__Profiles__Sample *libleak_pprof_add_sample(struct libleak_pprof_builder *builder,
                                                      const uintptr_t *frames, uint32_t depth,
                                                      const int64_t *values, size_t value_count,
                                                      size_t max_labels);

/* A numeric label (key and unit are string indices). False when out of memory. */
bool libleak_pprof_add_label(struct libleak_pprof_builder *builder, Perftools__Profiles__Sample *sample,
                             int64_t key, int64_t value, int64_t unit);

/* A string label (key and text are string indices). False when out of memory. */
bool libleak_pprof_add_string_label(struct libleak_pprof_builder *builder, Perftools__Profiles__Sample *sample,
                                    int64_t key, int64_t text);

void libleak_pprof_add_comment(struct libleak_pprof_builder *builder, const char *format, ...)
        __attribute__((format(printf, 2, 3)));

/* Adds the process's mappings. Call it after the samples: their lookups set the mappings'
   has_functions flags. False when out of memory. */
bool libleak_pprof_add_mappings(struct libleak_pprof_builder *builder);

/* Puts the locations, functions and strings into the message. False when any step ran out of
   memory: the message is then incomplete and must not be written. */
bool libleak_pprof_finish(struct libleak_pprof_builder *builder);

#endif
