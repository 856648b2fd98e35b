/*
 * profile_resolve.c — checks a decoded profile.proto message and builds the model of
 * profile_model.h from it.
 *
 * Nothing in the message is trusted: every string index must fall inside the string table,
 * every id must be nonzero and unique within its kind, every reference (a sample's location
 * ids, a location's mapping id, a line's function id) must name something that exists, and
 * every sample must carry one value per sample type. The first problem found is reported as
 * "leakprof: FILE: what and where" and the whole file is refused: a partial answer from a
 * damaged file would look like a real one.
 *
 * Ids are looked up through sorted (id, index) arrays: the format lets ids be sparse and in
 * any order. Stacks are expanded once, here, into frame ids (frames.h); the expansion is
 * capped because a small hostile file can make many samples point at locations with many
 * lines.
 */
#include "model/profile_internal.h"

#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "model/pattern.h"
#include "model/symbolize.h"
#include "model/util.h"

/* Upper bound on the frames of all stacks together (4 bytes each). */
#define MAX_TOTAL_FRAMES ((size_t)1 << 26)

typedef Perftools__Profiles__Profile Message;

struct id_index {
    uint64_t id;
    size_t index;
};

struct resolver {
    const char *path;
    const Message *message;
    struct frame_table *frames;
    struct id_index *mappings, *functions, *locations;
    size_t *location_first_frame; /* into location_frames */
    size_t *location_frame_count;
    uint32_t *location_frames;
    uint64_t *location_address_key; /* the address as pprof's merge keys it */
    unsigned char *location_prune;  /* PRUNE_*: what drop_frames does to it */
    regex_t drop, keep;
    bool has_drop, has_keep;
};

/* pprof's Prune marks a location whose frames match drop_frames (profile/prune.go). */
enum { PRUNE_NONE, PRUNE_BENEATH, PRUNE_WHOLE };

static bool string_at(struct resolver *r, int64_t index, const char **out, const char *what)
{
    if (index < 0 || (uint64_t)index >= r->message->n_string_table) {
        profile_error(r->path,
                      "%s: string index %" PRId64 " out of range (the string table "
                      "has %zu entries)",
                      what, index, r->message->n_string_table);
        return false;
    }
    *out = r->message->string_table[index];
    return true;
}

static int compare_ids(const void *a, const void *b)
{
    uint64_t x = ((const struct id_index *)a)->id, y = ((const struct id_index *)b)->id;
    return x < y ? -1 : x > y;
}

/* Sorts the ids of one kind and checks that they are nonzero and unique. */
static struct id_index *index_ids(struct resolver *r, const char *kind, size_t count,
                                  uint64_t (*id_of)(const Message *, size_t))
{
    struct id_index *index = xcalloc(count, sizeof *index);
    for (size_t i = 0; i < count; i++) {
        index[i] = (struct id_index){id_of(r->message, i), i};
        if (index[i].id == 0) {
            profile_error(r->path, "%s %zu has id 0 (ids must be nonzero)", kind, i);
            free(index);
            return NULL;
        }
    }
    qsort(index, count, sizeof *index, compare_ids);
    for (size_t i = 1; i < count; i++) {
        if (index[i].id == index[i - 1].id) {
            profile_error(r->path, "duplicate %s id %" PRIu64, kind, index[i].id);
            free(index);
            return NULL;
        }
    }
    return index;
}

/* Returns the position in the message of the object with ID, or SIZE_MAX. */
static size_t find_id(const struct id_index *index, size_t count, uint64_t id)
{
    struct id_index key = {id, 0};
    const struct id_index *found = bsearch(&key, index, count, sizeof *index, compare_ids);
    return found ? found->index : SIZE_MAX;
}

static uint64_t mapping_id(const Message *m, size_t i)
{
    return m->mapping[i]->id;
}
static uint64_t function_id(const Message *m, size_t i)
{
    return m->function[i]->id;
}
static uint64_t location_id(const Message *m, size_t i)
{
    return m->location[i]->id;
}

static bool check_header(struct resolver *r, struct profile *p)
{
    const Message *m = r->message;
    if (m->n_string_table == 0 || m->string_table[0][0] != '\0') {
        profile_error(r->path, "string_table[0] must be the empty string%s",
                      m->n_string_table == 0 ? " (the string table is empty)" : "");
        return false;
    }
    p->string_count = m->n_string_table;
    p->types = xcalloc(m->n_sample_type, sizeof *p->types);
    p->type_count = m->n_sample_type;
    for (size_t i = 0; i < m->n_sample_type; i++) {
        if (!string_at(r, m->sample_type[i]->type, &p->types[i].type, "sample_type") ||
            !string_at(r, m->sample_type[i]->unit, &p->types[i].unit, "sample_type unit"))
            return false;
    }
    const char *default_type;
    if (!string_at(r, m->default_sample_type, &default_type, "default_sample_type"))
        return false;
    /* pprof's rule: the named default type, else the last one. */
    p->default_type_name = default_type;
    p->default_type = p->type_count ? p->type_count - 1 : 0;
    for (size_t i = 0; *default_type && i < p->type_count; i++)
        if (strcmp(p->types[i].type, default_type) == 0)
            p->default_type = i;

    p->period_type = p->period_unit = "";
    if (m->period_type && (!string_at(r, m->period_type->type, &p->period_type, "period_type") ||
                           !string_at(r, m->period_type->unit, &p->period_unit, "period_type unit")))
        return false;
    p->period = m->period;
    p->time_nanos = m->time_nanos;
    p->duration_nanos = m->duration_nanos;

    const char *unused;
    if (!string_at(r, m->drop_frames, &p->drop_frames, "drop_frames") ||
        !string_at(r, m->keep_frames, &p->keep_frames, "keep_frames") ||
        !string_at(r, m->doc_url, &unused, "doc_url"))
        return false;
    p->comments = xcalloc(m->n_comment, sizeof *p->comments);
    p->comment_count = m->n_comment;
    for (size_t i = 0; i < m->n_comment; i++)
        if (!string_at(r, m->comment[i], &p->comments[i], "comment"))
            return false;
    return true;
}

static bool check_mappings(struct resolver *r, struct profile *p)
{
    const Message *m = r->message;
    p->mapping_count = m->n_mapping;
    p->main_file = p->main_build_id = "";
    r->mappings = index_ids(r, "mapping", m->n_mapping, mapping_id);
    if (!r->mappings)
        return false;
    for (size_t i = 0; i < m->n_mapping; i++) {
        const char *file, *build_id;
        char what[64];
        snprintf(what, sizeof what, "mapping id %" PRIu64 " filename", m->mapping[i]->id);
        if (!string_at(r, m->mapping[i]->filename, &file, what))
            return false;
        snprintf(what, sizeof what, "mapping id %" PRIu64 " build_id", m->mapping[i]->id);
        if (!string_at(r, m->mapping[i]->build_id, &build_id, what))
            return false;
        if (i == 0) {
            p->main_file = file;
            p->main_build_id = build_id;
        }
    }
    return true;
}

static bool check_functions(struct resolver *r, struct profile *p)
{
    const Message *m = r->message;
    p->function_count = m->n_function;
    r->functions = index_ids(r, "function", m->n_function, function_id);
    if (!r->functions)
        return false;
    for (size_t i = 0; i < m->n_function; i++) {
        const Perftools__Profiles__Function *f = m->function[i];
        const char *unused;
        char what[64];
        snprintf(what, sizeof what, "function id %" PRIu64, f->id);
        if (!string_at(r, f->name, &unused, what) || !string_at(r, f->system_name, &unused, what) ||
            !string_at(r, f->filename, &unused, what))
            return false;
    }
    return true;
}

/* The name a person reads for a frame: the function's, else the location's address. */
static const char *frame_name(const char *function_name, uint64_t address, char *buffer, size_t size)
{
    if (function_name && *function_name)
        return function_name;
    snprintf(buffer, size, "0x%" PRIx64, address);
    return buffer;
}

/*
 * drop_frames and keep_frames, compiled as pprof's RemoveUninteresting does: anchored,
 * "^(RE)$". pprof ignores a regex it cannot compile (Go's syntax is not POSIX's in every
 * corner); so does this, with a warning.
 */
static void compile_prune(struct resolver *r, const struct profile *p)
{
    if (!p->drop_frames[0])
        return;
    const char *patterns[2] = {p->drop_frames, p->keep_frames};
    regex_t *compiled[2] = {&r->drop, &r->keep};
    bool *has[2] = {&r->has_drop, &r->has_keep};
    for (int i = 0; i < 2 && patterns[i][0]; i++) {
        size_t size = strlen(patterns[i]) + 5;
        char *anchored = xmalloc(size);
        snprintf(anchored, size, "^(%s)$", patterns[i]);
        if (pattern_compile(compiled[i], anchored, NULL, 0)) {
            *has[i] = true;
        } else {
            fprintf(stderr, "leakprof: %s: warning: %s '%s' is not a POSIX extended regex; not applied\n",
                    r->path, i ? "keep_frames" : "drop_frames", patterns[i]);
            if (i == 1) { /* pprof then prunes nothing at all */
                regfree(&r->drop);
                r->has_drop = false;
            }
            free(anchored);
            return;
        }
        free(anchored);
    }
}

/*
 * pprof's simplifyFunc: a function name without its argument list — cut at the first '('
 * that does not belong to "(anonymous namespace)" or "operator()".
 */
static char *simplified_name(const char *name)
{
    static const char *const reserved[] = {"(anonymous namespace)", "operator()"};
    if (*name == '.')
        name++;
    const char *p = name;
    while (*p) {
        bool skipped = false;
        for (size_t i = 0; i < 2 && !skipped; i++) {
            size_t n = strlen(reserved[i]);
            if (strncmp(p, reserved[i], n) == 0) {
                p += n;
                skipped = true;
            }
        }
        if (skipped)
            continue;
        if (*p == '(')
            break;
        p++;
    }
    char *out = xmalloc((size_t)(p - name) + 1);
    memcpy(out, name, (size_t)(p - name));
    out[p - name] = '\0';
    return out;
}

static bool prune_matches(struct resolver *r, const char *function_name)
{
    if (!r->has_drop || !function_name || !*function_name)
        return false;
    char *name = simplified_name(function_name);
    bool drop = pattern_matches(&r->drop, name) && !(r->has_keep && pattern_matches(&r->keep, name));
    free(name);
    return drop;
}

/*
 * Prune's first half, for location I: the outermost of its lines whose function matches
 * drop_frames (and not keep_frames) goes, with every line inlined into it; when that is
 * the outermost line, the whole location goes.
 */
static void prune_location(struct resolver *r, size_t i)
{
    const Message *m = r->message;
    const Perftools__Profiles__Location *loc = m->location[i];
    long l = (long)loc->n_line - 1;
    for (; l >= 0; l--) {
        uint64_t function_id = loc->line[l]->function_id;
        size_t f = function_id ? find_id(r->functions, m->n_function, function_id) : SIZE_MAX;
        if (f != SIZE_MAX && prune_matches(r, m->string_table[m->function[f]->name]))
            break;
    }
    if (l < 0)
        return;
    if ((size_t)l + 1 == loc->n_line) {
        r->location_prune[i] = PRUNE_WHOLE;
    } else {
        r->location_prune[i] = PRUNE_BENEATH;
        r->location_first_frame[i] += (size_t)l + 1;
        r->location_frame_count[i] -= (size_t)l + 1;
    }
}

/*
 * Prune's second half: where a sample's stack starts after pruning. From the root, after
 * the first frame that is not pruned, the first marked location cuts the stack: a whole
 * one goes with everything beneath it, a trimmed one stays. Marked locations before any
 * unmarked one (toward the root) are kept, so that a stack is never pruned away entirely.
 */
static size_t pruned_start(struct resolver *r, const Perftools__Profiles__Sample *sample)
{
    if (!r->has_drop)
        return 0;
    bool found_user = false;
    for (size_t k = sample->n_location_id; k-- > 0;) {
        size_t loc = find_id(r->locations, r->message->n_location, sample->location_id[k]);
        unsigned char state = loc == SIZE_MAX ? PRUNE_NONE : r->location_prune[loc];
        if (state == PRUNE_NONE) {
            found_user = true;
            continue;
        }
        if (found_user)
            return state == PRUNE_WHOLE ? k + 1 : k;
    }
    return 0;
}

/*
 * pprof's merge keys a location by its address relative to its mapping, the mapping by
 * its build ID (else file), offset and size rounded up to 4 KiB: so the same code in two
 * processes is one location despite address randomisation.
 */
static uint64_t address_key(struct resolver *r, const Perftools__Profiles__Location *loc)
{
    const Message *m = r->message;
    uint64_t address = loc->address;
    uint64_t h = LIBLEAK_FNV_OFFSET_BASIS;
    size_t mi = loc->mapping_id ? find_id(r->mappings, m->n_mapping, loc->mapping_id) : SIZE_MAX;
    if (mi != SIZE_MAX) {
        const Perftools__Profiles__Mapping *map = m->mapping[mi];
        uint64_t size = map->memory_limit - map->memory_start;
        size = (size + 0xfff) & ~(uint64_t)0xfff;
        const char *id = m->string_table[map->build_id];
        if (!*id)
            id = m->string_table[map->filename];
        h = libleak_hash_bytes(h, id, strlen(id) + 1);
        h = libleak_hash_bytes(h, &size, sizeof size);
        h = libleak_hash_bytes(h, &map->file_offset, sizeof map->file_offset);
        address -= map->memory_start;
    }
    return libleak_hash_bytes(h, &address, sizeof address);
}

/* How many mappings of the same file and build ID start below mapping MI: which executable
   segment of a separate debug file it is (symbolize.h). Not counted in a hostile file's
   thousands of mappings. */
static int code_rank(struct resolver *r, size_t mi)
{
    const Message *m = r->message;
    const Perftools__Profiles__Mapping *map = m->mapping[mi];
    int rank = 0;
    for (size_t j = 0; j < m->n_mapping && m->n_mapping <= 4096; j++) {
        const Perftools__Profiles__Mapping *other = m->mapping[j];
        rank += other->memory_start < map->memory_start && other->filename == map->filename &&
                other->build_id == map->build_id;
    }
    return rank;
}

/* The frames of a location the file left unnamed, from its mapping's files (symbolize.c). */
static int name_location(struct resolver *r, const Perftools__Profiles__Location *loc, struct symbol_frame *frames)
{
    if (!symbolize_enabled)
        return 0;
    const Message *m = r->message;
    size_t mi = loc->mapping_id ? find_id(r->mappings, m->n_mapping, loc->mapping_id) : SIZE_MAX;
    if (mi == SIZE_MAX) {
        symbolize_count_unmapped();
        return 0;
    }
    const Perftools__Profiles__Mapping *map = m->mapping[mi];
    struct symbolize_mapping mapping = {
            .filename = m->string_table[map->filename],
            .build_id = m->string_table[map->build_id],
            .memory_start = map->memory_start,
            .memory_limit = map->memory_limit,
            .file_offset = map->file_offset,
            .code_rank = code_rank(r, mi),
    };
    return symbolize_address(&mapping, loc->address, frames, SYMBOLIZE_MAX_FRAMES);
}

/* Room for NEEDED frames (a named location may have several frames, inlined ones). */
static uint32_t *grow_frames(uint32_t *frames, size_t *capacity, size_t needed)
{
    if (needed <= *capacity)
        return frames;
    *capacity = needed * 2;
    return xreallocarray(frames, *capacity, sizeof *frames);
}

/* Expands each location into frame ids: its lines innermost first, or its address alone. */
static bool resolve_locations(struct resolver *r, struct profile *p)
{
    const Message *m = r->message;
    p->location_count = m->n_location;
    r->locations = index_ids(r, "location", m->n_location, location_id);
    if (!r->locations)
        return false;
    size_t total = 0;
    for (size_t i = 0; i < m->n_location; i++)
        total += m->location[i]->n_line ? m->location[i]->n_line : 1;
    r->location_first_frame = xcalloc(m->n_location, sizeof *r->location_first_frame);
    r->location_frame_count = xcalloc(m->n_location, sizeof *r->location_frame_count);
    size_t capacity = total;
    r->location_frames = xcalloc(total, sizeof *r->location_frames);
    r->location_address_key = xcalloc(m->n_location, sizeof *r->location_address_key);
    r->location_prune = xcalloc(m->n_location, sizeof *r->location_prune);

    size_t next = 0;
    char address_name[32];
    for (size_t i = 0; i < m->n_location; i++) {
        const Perftools__Profiles__Location *loc = m->location[i];
        if (loc->mapping_id && find_id(r->mappings, m->n_mapping, loc->mapping_id) == SIZE_MAX) {
            profile_error(r->path,
                          "location id %" PRIu64 " refers to mapping id %" PRIu64 ", which does not exist",
                          loc->id, loc->mapping_id);
            return false;
        }
        r->location_first_frame[i] = next;
        if (loc->n_line == 0) {
            struct symbol_frame named[SYMBOLIZE_MAX_FRAMES];
            int count = name_location(r, loc, named);
            if (count > 1) /* one frame was counted for it */
                r->location_frames = grow_frames(r->location_frames, &capacity, total += (size_t)count - 1);
            for (int k = 0; k < count; k++)
                r->location_frames[next++] = frame_table_intern(r->frames, named[k].function, named[k].file,
                                                                named[k].line, k + 1 < count);
        }
        if (loc->n_line == 0 && next == r->location_first_frame[i]) {
            const char *name = frame_name(NULL, loc->address, address_name, sizeof address_name);
            r->location_frames[next++] = frame_table_intern(r->frames, name, "", 0, false);
        }
        for (size_t l = 0; l < loc->n_line; l++) {
            const Perftools__Profiles__Line *line = loc->line[l];
            const char *function_name = NULL, *file = "";
            if (line->function_id) {
                size_t f = find_id(r->functions, m->n_function, line->function_id);
                if (f == SIZE_MAX) {
                    profile_error(r->path,
                                  "location id %" PRIu64 " refers to function id "
                                  "%" PRIu64 ", which does not exist",
                                  loc->id, line->function_id);
                    return false;
                }
                function_name = m->string_table[m->function[f]->name];
                file = m->string_table[m->function[f]->filename];
            }
            const char *name = frame_name(function_name, loc->address, address_name, sizeof address_name);
            /* Every line but the last (outermost) was inlined into the one after it. */
            bool inlined = l + 1 < loc->n_line;
            r->location_frames[next++] = frame_table_intern(r->frames, name, file, line->line, inlined);
        }
        r->location_frame_count[i] = next - r->location_first_frame[i];
        r->location_address_key[i] = address_key(r, loc);
        if (r->has_drop)
            prune_location(r, i);
    }
    return true;
}

static bool resolve_samples(struct resolver *r, struct profile *p, struct profile_storage *storage)
{
    const Message *m = r->message;
    size_t total_frames = 0, total_labels = 0;
    for (size_t s = 0; s < m->n_sample; s++) {
        const Perftools__Profiles__Sample *sample = m->sample[s];
        if (sample->n_value != m->n_sample_type) {
            profile_error(r->path,
                          "sample %zu has %zu values but the profile has %zu sample "
                          "types",
                          s, sample->n_value, m->n_sample_type);
            return false;
        }
        size_t start = pruned_start(r, sample);
        for (size_t i = 0; i < sample->n_location_id; i++) {
            size_t loc = find_id(r->locations, m->n_location, sample->location_id[i]);
            if (loc != SIZE_MAX && i < start)
                continue;
            if (loc == SIZE_MAX) {
                profile_error(r->path,
                              "sample %zu refers to location id %" PRIu64 ", which "
                              "does not exist",
                              s, sample->location_id[i]);
                return false;
            }
            total_frames += r->location_frame_count[loc];
            if (total_frames > MAX_TOTAL_FRAMES) {
                profile_error(r->path,
                              "stacks expand to more than %zu frames, refusing to "
                              "read it",
                              MAX_TOTAL_FRAMES);
                return false;
            }
        }
        total_labels += sample->n_label;
    }

    storage->stack_frames = xcalloc(total_frames, sizeof *storage->stack_frames);
    storage->labels = xcalloc(total_labels, sizeof *storage->labels);
    p->samples = xcalloc(m->n_sample, sizeof *p->samples);
    p->sample_count = m->n_sample;
    size_t next_frame = 0, next_label = 0;
    for (size_t s = 0; s < m->n_sample; s++) {
        const Perftools__Profiles__Sample *sample = m->sample[s];
        struct sample *out = &p->samples[s];
        out->frames = storage->stack_frames + next_frame;
        out->values = sample->value;
        out->address_key = LIBLEAK_FNV_OFFSET_BASIS;
        for (size_t i = pruned_start(r, sample); i < sample->n_location_id; i++) {
            size_t loc = find_id(r->locations, m->n_location, sample->location_id[i]);
            out->address_key = libleak_hash_bytes(out->address_key, &r->location_address_key[loc],
                                                  sizeof r->location_address_key[loc]);
            memcpy(storage->stack_frames + next_frame, r->location_frames + r->location_first_frame[loc],
                   r->location_frame_count[loc] * sizeof *storage->stack_frames);
            next_frame += r->location_frame_count[loc];
        }
        out->depth = (uint32_t)(storage->stack_frames + next_frame - out->frames);
        out->labels = storage->labels + next_label;
        out->label_count = sample->n_label;
        for (size_t i = 0; i < sample->n_label; i++) {
            const Perftools__Profiles__Label *label = sample->label[i];
            struct sample_label *l = &storage->labels[next_label++];
            char what[64];
            snprintf(what, sizeof what, "sample %zu label", s);
            if (!string_at(r, label->key, &l->key, what) || !string_at(r, label->num_unit, &l->unit, what))
                return false;
            l->num = label->num;
            l->str = NULL;
            if (label->str && !string_at(r, label->str, &l->str, what))
                return false;
        }
    }
    return true;
}

struct profile *profile_resolve(const char *path, struct profile_storage *storage, struct frame_table *frames)
{
    struct resolver r = {.path = path, .message = storage->message, .frames = frames};
    struct profile *p = xcalloc(1, sizeof *p);
    p->path = path;
    p->storage = storage;
    bool ok = check_header(&r, p) && check_mappings(&r, p) && check_functions(&r, p);
    if (ok)
        compile_prune(&r, p);
    ok = ok && resolve_locations(&r, p) && resolve_samples(&r, p, storage);
    if (r.has_drop)
        regfree(&r.drop);
    if (r.has_keep)
        regfree(&r.keep);
    free(r.location_address_key);
    free(r.location_prune);
    free(r.mappings);
    free(r.functions);
    free(r.locations);
    free(r.location_first_frame);
    free(r.location_frame_count);
    free(r.location_frames);
    if (!ok) {
        profile_free(p);
        return NULL;
    }
    return p;
}

long profile_sample_index(const struct profile *profile, const char *name)
{
    if (profile->type_count == 0) {
        profile_error(profile->path, "the profile has no sample types");
        return -1;
    }
    if (!name)
        return (long)profile->default_type;
    for (size_t i = 0; i < profile->type_count; i++)
        if (strcmp(profile->types[i].type, name) == 0)
            return (long)i;
    char *end;
    long index = strtol(name, &end, 10);
    if (*name && !*end && index >= 0 && (size_t)index < profile->type_count)
        return index;
    fprintf(stderr, "leakprof: %s: no sample type '%s' (the profile has:", profile->path, name);
    for (size_t i = 0; i < profile->type_count; i++)
        fprintf(stderr, " %s", profile->types[i].type);
    fputs(")\n", stderr);
    return -1;
}
