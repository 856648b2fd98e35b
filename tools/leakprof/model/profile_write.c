/*
 * profile_write.c — one profile (a file or the merge of several) written back as a gzipped
 * profile.proto, with the frames it left unnamed named (symbolize.c): what
 * `leakprof symbolize` writes, for go tool pprof -symbolize=none, Pyroscope or Parca to read
 * without any binary.
 *
 * The parts' messages are copied one after the other into a new message: mapping, function
 * and location ids are renumbered part by part, strings are interned into one table, and
 * samples are kept one by one (pprof sums equal ones when it reads them) — the merge of
 * profile_merge.c, with the header combined the same way (the merged model's). A location
 * that has lines keeps them as they are, so naming a named profile changes no name; one
 * without lines gets a line per frame, innermost first as pprof's Location.line wants it.
 * A mapping whose locations all have lines afterwards says so (has_functions, ...), so that
 * pprof does not try to name it again.
 */
#include "model/profile_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "common/hash.h"
#include "model/profile_internal.h"
#include "model/symbolize.h"
#include "model/util.h"

typedef Perftools__Profiles__Profile Message;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Line Line;

/* A string table with a hash index (open addressing, ids + 1 in the slots). */
struct strings {
    char **table;
    size_t count, capacity;
    size_t *slots;
    size_t slot_count;
};

static void strings_rehash(struct strings *s)
{
    s->slot_count = s->slot_count ? s->slot_count * 2 : 1024;
    free(s->slots);
    s->slots = xcalloc(s->slot_count, sizeof *s->slots);
    for (size_t i = 0; i < s->count; i++) {
        size_t slot = libleak_hash_string(s->table[i]) & (s->slot_count - 1);
        while (s->slots[slot])
            slot = (slot + 1) & (s->slot_count - 1);
        s->slots[slot] = i + 1;
    }
}

static int64_t string_id(struct strings *s, const char *text)
{
    if (2 * (s->count + 1) > s->slot_count)
        strings_rehash(s);
    size_t slot = libleak_hash_string(text) & (s->slot_count - 1);
    for (; s->slots[slot]; slot = (slot + 1) & (s->slot_count - 1))
        if (strcmp(s->table[s->slots[slot] - 1], text) == 0)
            return (int64_t)s->slots[slot] - 1;
    if (s->count == s->capacity) {
        s->capacity = s->capacity ? s->capacity * 2 : 1024;
        s->table = xreallocarray(s->table, s->capacity, sizeof *s->table);
    }
    s->table[s->count] = xstrdup(text);
    s->slots[slot] = ++s->count;
    return (int64_t)s->count - 1;
}

struct writer {
    Message *out;
    struct strings strings;
    size_t mapping_capacity, function_capacity, location_capacity, sample_capacity;
    /* The functions made for named frames, by (name, system name, file): their ids + 1. */
    struct libleak_id_map_lite {
        uint64_t *keys;
        uint64_t *ids;
        size_t size;
    } made;
};

#define APPEND(array, count, capacity, item)                                                                 \
    do {                                                                                                     \
        if ((count) == (capacity)) {                                                                         \
            (capacity) = (capacity) ? (capacity) * 2 : 64;                                                   \
            (array) = xreallocarray((array), (capacity), sizeof *(array));                                   \
        }                                                                                                    \
        (array)[(count)++] = (item);                                                                         \
    } while (0)

static uint64_t add_function(struct writer *w, int64_t name, int64_t system_name, int64_t file, int64_t start)
{
    Function *f = xcalloc(1, sizeof *f);
    perftools__profiles__function__init(f);
    f->id = w->out->n_function + 1;
    f->name = name;
    f->system_name = system_name;
    f->filename = file;
    f->start_line = start;
    APPEND(w->out->function, w->out->n_function, w->function_capacity, f);
    return f->id;
}

/* The function of a named frame, made once per (name, system name, file). */
static uint64_t frame_function(struct writer *w, const struct symbol_frame *frame)
{
    int64_t name = string_id(&w->strings, frame->function), system = string_id(&w->strings, frame->system_name),
            file = string_id(&w->strings, frame->file);
    uint64_t key = libleak_hash_mix(((uint64_t)name * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)system << 21) ^
                                    ((uint64_t)file << 42) ^ (uint64_t)file);
    if (2 * (w->out->n_function + 1) > w->made.size) {
        size_t old_size = w->made.size;
        uint64_t *old_keys = w->made.keys, *old_ids = w->made.ids;
        w->made.size = old_size ? old_size * 4 : 1024;
        w->made.keys = xcalloc(w->made.size, sizeof *w->made.keys);
        w->made.ids = xcalloc(w->made.size, sizeof *w->made.ids);
        for (size_t i = 0; i < old_size; i++) {
            if (!old_ids[i])
                continue;
            size_t slot = old_keys[i] & (w->made.size - 1);
            while (w->made.ids[slot])
                slot = (slot + 1) & (w->made.size - 1);
            w->made.keys[slot] = old_keys[i];
            w->made.ids[slot] = old_ids[i];
        }
        free(old_keys);
        free(old_ids);
    }
    size_t slot = key & (w->made.size - 1);
    for (; w->made.ids[slot]; slot = (slot + 1) & (w->made.size - 1)) {
        const Function *f = w->out->function[w->made.ids[slot] - 1];
        if (w->made.keys[slot] == key && f->name == name && f->system_name == system && f->filename == file)
            return w->made.ids[slot];
    }
    w->made.keys[slot] = key;
    return w->made.ids[slot] = add_function(w, name, system, file, 0);
}

/* Rank of mapping I among the part's mappings of the same file and build ID (symbolize.h). */
static int code_rank(const Message *m, size_t i)
{
    int rank = 0;
    for (size_t j = 0; j < m->n_mapping && m->n_mapping <= 4096; j++)
        rank += m->mapping[j]->memory_start < m->mapping[i]->memory_start &&
                m->mapping[j]->filename == m->mapping[i]->filename && m->mapping[j]->build_id == m->mapping[i]->build_id;
    return rank;
}

/* Ids to positions: (id, position) pairs sorted by id; profile_resolve.c has checked that
   ids are unique and every reference exists. */
struct id_position {
    uint64_t id;
    size_t position;
};

static int compare_ids(const void *a, const void *b)
{
    uint64_t x = ((const struct id_position *)a)->id, y = ((const struct id_position *)b)->id;
    return x < y ? -1 : x > y;
}

static struct id_position *index_ids(size_t count, const void *const *objects, uint64_t (*id_of)(const void *))
{
    struct id_position *index = xcalloc(count + 1, sizeof *index);
    for (size_t i = 0; i < count; i++)
        index[i] = (struct id_position){id_of(objects[i]), i};
    qsort(index, count, sizeof *index, compare_ids);
    return index;
}

static size_t position_of(const struct id_position *index, size_t count, uint64_t id)
{
    struct id_position key = {id, 0};
    const struct id_position *found = bsearch(&key, index, count, sizeof *index, compare_ids);
    return found ? found->position : SIZE_MAX;
}

static uint64_t mapping_id(const void *o) { return ((const Mapping *)o)->id; }
static uint64_t function_id(const void *o) { return ((const Function *)o)->id; }
static uint64_t location_id(const void *o) { return ((const Location *)o)->id; }

/* Copies one part's message; ids are shifted by what the parts before took. */
static void copy_part(struct writer *w, const Message *m)
{
    struct strings *s = &w->strings;
    uint64_t mapping_base = w->out->n_mapping, location_base = w->out->n_location;
    /* Ids may be sparse and in any order: looked up through sorted indexes. */
    struct id_position *mappings = index_ids(m->n_mapping, (const void *const *)m->mapping, mapping_id);
    struct id_position *functions = index_ids(m->n_function, (const void *const *)m->function, function_id);
    struct id_position *locations = index_ids(m->n_location, (const void *const *)m->location, location_id);
    uint64_t *function_new = xcalloc(m->n_function + 1, sizeof *function_new);
    for (size_t i = 0; i < m->n_function; i++) {
        const Function *f = m->function[i];
        function_new[i] = add_function(w, string_id(s, m->string_table[f->name]),
                                       string_id(s, m->string_table[f->system_name]),
                                       string_id(s, m->string_table[f->filename]), f->start_line);
    }
    bool *unnamed = xcalloc(m->n_mapping + 1, sizeof *unnamed);
    for (size_t i = 0; i < m->n_location; i++) {
        const Location *in = m->location[i];
        Location *out = xcalloc(1, sizeof *out);
        perftools__profiles__location__init(out);
        out->id = location_base + i + 1;
        out->address = in->address;
        out->is_folded = in->is_folded;
        size_t mi = in->mapping_id ? position_of(mappings, m->n_mapping, in->mapping_id) : SIZE_MAX;
        out->mapping_id = mi == SIZE_MAX ? 0 : mapping_base + mi + 1;
        struct symbol_frame frames[SYMBOLIZE_MAX_FRAMES];
        int count = 0;
        if (in->n_line == 0 && mi != SIZE_MAX) {
            const Mapping *map = m->mapping[mi];
            struct symbolize_mapping mapping = {m->string_table[map->filename], m->string_table[map->build_id],
                                                map->memory_start, map->memory_limit, map->file_offset,
                                                code_rank(m, mi)};
            count = symbolize_address(&mapping, in->address, frames, SYMBOLIZE_MAX_FRAMES);
            if (count == 0)
                unnamed[mi] = true;
        }
        size_t lines = in->n_line ? in->n_line : (size_t)count;
        out->line = xcalloc(lines ? lines : 1, sizeof *out->line);
        for (size_t l = 0; l < lines; l++) {
            Line *line = xcalloc(1, sizeof *line);
            perftools__profiles__line__init(line);
            if (in->n_line) {
                line->line = in->line[l]->line;
                size_t f = in->line[l]->function_id
                                    ? position_of(functions, m->n_function, in->line[l]->function_id)
                                    : SIZE_MAX;
                line->function_id = f == SIZE_MAX ? 0 : function_new[f];
            } else {
                line->line = frames[l].line;
                line->function_id = frame_function(w, &frames[l]);
            }
            out->line[out->n_line++] = line;
        }
        APPEND(w->out->location, w->out->n_location, w->location_capacity, out);
    }
    for (size_t i = 0; i < m->n_mapping; i++) {
        const Mapping *in = m->mapping[i];
        Mapping *out = xcalloc(1, sizeof *out);
        *out = *in;
        out->id = mapping_base + i + 1;
        out->filename = string_id(s, m->string_table[in->filename]);
        out->build_id = string_id(s, m->string_table[in->build_id]);
        if (!unnamed[i] && symbolize_enabled)
            out->has_functions = out->has_filenames = out->has_line_numbers = out->has_inline_frames = true;
        APPEND(w->out->mapping, w->out->n_mapping, w->mapping_capacity, out);
    }
    for (size_t i = 0; i < m->n_sample; i++) {
        const Sample *in = m->sample[i];
        Sample *out = xcalloc(1, sizeof *out);
        perftools__profiles__sample__init(out);
        out->n_value = in->n_value;
        out->value = xcalloc(in->n_value + 1, sizeof *out->value);
        memcpy(out->value, in->value, in->n_value * sizeof *out->value);
        out->location_id = xcalloc(in->n_location_id + 1, sizeof *out->location_id);
        for (size_t k = 0; k < in->n_location_id; k++) {
            size_t l = position_of(locations, m->n_location, in->location_id[k]);
            if (l != SIZE_MAX)
                out->location_id[out->n_location_id++] = location_base + l + 1;
        }
        out->label = xcalloc(in->n_label + 1, sizeof *out->label);
        for (size_t k = 0; k < in->n_label; k++) {
            Perftools__Profiles__Label *label = xcalloc(1, sizeof *label);
            *label = *in->label[k];
            label->key = string_id(s, m->string_table[in->label[k]->key]);
            label->str = string_id(s, m->string_table[in->label[k]->str]);
            label->num_unit = string_id(s, m->string_table[in->label[k]->num_unit]);
            out->label[out->n_label++] = label;
        }
        APPEND(w->out->sample, w->out->n_sample, w->sample_capacity, out);
    }
    free(mappings);
    free(functions);
    free(locations);
    free(function_new);
    free(unnamed);
}

/* The header: the merged model's (profile_merge.c has combined the parts' already). */
static void copy_header(struct writer *w, const struct profile *p)
{
    struct strings *s = &w->strings;
    w->out->n_sample_type = p->type_count;
    w->out->sample_type = xcalloc(p->type_count + 1, sizeof *w->out->sample_type);
    for (size_t i = 0; i < p->type_count; i++) {
        Perftools__Profiles__ValueType *type = xcalloc(1, sizeof *type);
        perftools__profiles__value_type__init(type);
        type->type = string_id(s, p->types[i].type);
        type->unit = string_id(s, p->types[i].unit);
        w->out->sample_type[i] = type;
    }
    if (p->period_type[0]) {
        w->out->period_type = xcalloc(1, sizeof *w->out->period_type);
        perftools__profiles__value_type__init(w->out->period_type);
        w->out->period_type->type = string_id(s, p->period_type);
        w->out->period_type->unit = string_id(s, p->period_unit);
    }
    w->out->period = p->period;
    w->out->time_nanos = p->time_nanos;
    w->out->duration_nanos = p->duration_nanos;
    w->out->default_sample_type = string_id(s, p->default_type_name);
    w->out->drop_frames = string_id(s, p->drop_frames);
    w->out->keep_frames = string_id(s, p->keep_frames);
    w->out->n_comment = p->comment_count;
    w->out->comment = xcalloc(p->comment_count + 1, sizeof *w->out->comment);
    for (size_t i = 0; i < p->comment_count; i++)
        w->out->comment[i] = string_id(s, p->comments[i]);
}

static bool write_gzip(const char *path, const uint8_t *data, size_t size)
{
    bool to_stdout = strcmp(path, "-") == 0;
    char temporary[4096];
    snprintf(temporary, sizeof temporary, "%s.tmp%ld", path, (long)getpid());
    gzFile file = to_stdout ? gzdopen(dup(1), "wb") : gzopen(temporary, "wb");
    bool ok = file != NULL;
    for (size_t done = 0; ok && done < size;) {
        unsigned chunk = size - done > (1u << 30) ? (1u << 30) : (unsigned)(size - done);
        int written = gzwrite(file, data + done, chunk);
        ok = written > 0;
        done += written > 0 ? (size_t)written : 0;
    }
    if (file && gzclose(file) != Z_OK)
        ok = false;
    if (ok && !to_stdout && rename(temporary, path) != 0)
        ok = false;
    if (!ok) {
        fprintf(stderr, "leakprof: cannot write %s: %s\n", path, strerror(errno ? errno : EIO));
        if (!to_stdout)
            unlink(temporary);
    }
    return ok;
}

bool profile_write_named(const struct profile *p, const char *path)
{
    struct writer w = {0};
    w.out = xcalloc(1, sizeof *w.out);
    perftools__profiles__profile__init(w.out);
    string_id(&w.strings, ""); /* string_table[0] */
    copy_header(&w, p);
    const struct profile *single[1] = {p};
    const struct profile *const *parts = p->part_count ? (const struct profile *const *)p->parts : single;
    size_t part_count = p->part_count ? p->part_count : 1;
    for (size_t i = 0; i < part_count; i++)
        copy_part(&w, ((const struct profile_storage *)parts[i]->storage)->message);
    w.out->string_table = w.strings.table;
    w.out->n_string_table = w.strings.count;

    size_t size = perftools__profiles__profile__get_packed_size(w.out);
    uint8_t *data = xmalloc(size ? size : 1);
    perftools__profiles__profile__pack(w.out, data);
    bool ok = write_gzip(path, data, size);
    free(data);
    /* Everything was malloc'd the way protobuf-c's default allocator frees it. */
    perftools__profiles__profile__free_unpacked(w.out, NULL);
    free(w.strings.slots);
    free(w.made.keys);
    free(w.made.ids);
    return ok;
}
