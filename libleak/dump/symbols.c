/*
 * symbols — what the profile says about code: the mappings and, for each return address, its
 * function names, files and lines. The front of three parts:
 *
 *   - mappings.c: the module list as pprof mappings (paths, build IDs), indexed by address, so
 *     that "which mapping holds this pc?", asked for every frame of every stack of a dump, is
 *     a binary search.
 *   - dwarf_lookup.c: "what function, file and line is this pc?", from the symbol tables and
 *     DWARF through libdwfl, once per distinct pc.
 *   - here, the per-pc cache of those answers: a pc is symbolized once between module-list
 *     changes, however many dumps ask. The files themselves are closed after every dump
 *     (libleak_symbols_close_files); the answers stay.
 *
 * The loader's dlpi_adds/dlpi_subs counters tell when the module list changed; only then are
 * the mappings rebuilt and the answers and interned strings (interned.h) dropped.
 *
 * They run only under the dump lock (dump.c), on whichever thread dumps, so there is no locking
 * here; the loader's lock is taken before that lock, in libleak_symbols_prepare.
 */
#include "dump/symbols.h"

#include <stdlib.h>
#include <string.h>

#include "dump/dwarf_lookup.h"
#include "common/id_map.h"
#include "dump/interned.h"
#include "dump/mappings.h"

/* What one pc resolved to; lines point into the interned strings. */
struct symbolized {
    uint64_t pc;
    int count;
    struct libleak_line *lines;
};

/* The per-pc cache: the answers in an array, found through an id map (common/id_map.h) keyed
   by pc. It lives from one module-list change to the next, across dumps, so it takes
   malloc's memory rather than a dump's arena. */
static struct {
    struct libleak_id_map ids; /* pc -> index + 1 in entries */
    struct symbolized *entries;
    size_t count, capacity;
} cache;

static void cache_forget(void)
{
    for (size_t i = 0; i < cache.count; i++)
        free(cache.entries[i].lines);
    free(cache.entries);
    libleak_id_map_free(&cache.ids);
    memset(&cache, 0, sizeof cache);
}

/* The cached answer for pc, or NULL. */
static const struct symbolized *cache_find(uint64_t pc)
{
    if (!cache.ids.ids)
        return NULL;
    uint32_t id = cache.ids.ids[libleak_id_map_slot(&cache.ids, pc, NULL, NULL, NULL)];
    return id ? &cache.entries[id - 1] : NULL;
}

/* Room for one more answer, in the map and in the array. */
static bool cache_make_room(void)
{
    if (!libleak_id_map_reserve(&cache.ids)) /* the first time, its first arrays */
        return false;
    if (cache.count < cache.capacity)
        return true;
    size_t capacity = cache.capacity ? cache.capacity * 2 : 2048;
    struct symbolized *entries = realloc(cache.entries, capacity * sizeof *entries);
    if (!entries)
        return false;
    cache.entries = entries;
    cache.capacity = capacity;
    return true;
}

/* Remembers what pc resolved to; cache_find(pc) found nothing. */
static void cache_add(uint64_t pc, const struct libleak_line *lines, int count)
{
    if (!cache_make_room())
        return;
    struct libleak_line *copy = count ? malloc((size_t)count * sizeof *copy) : NULL;
    if (count && !copy)
        return;
    if (count)
        memcpy(copy, lines, (size_t)count * sizeof *copy);
    cache.entries[cache.count++] = (struct symbolized){pc, count, copy};
    uint64_t slot = libleak_id_map_slot(&cache.ids, pc, NULL, NULL, NULL);
    libleak_id_map_set(&cache.ids, slot, pc, (uint32_t)cache.count);
}

static int copy_lines(struct libleak_line *lines, int max, const struct libleak_line *from, int count)
{
    int n = count < max ? count : max;
    if (n > 0) /* a cached "no lines" has no array: memcpy from NULL is undefined */
        memcpy(lines, from, (size_t)n * sizeof *lines);
    return n;
}

static __thread bool adopted; /* what the next prepare would do was done by the program's thread */

void libleak_symbols_prepare(bool symbolize)
{
    if (adopted) {
        adopted = false;
        return;
    }
    if (symbolize)
        libleak_dwarf_find_demangler();
    libleak_mappings_prepare();
}

void *libleak_symbols_prepare_to_hand_over(bool symbolize)
{
    libleak_symbols_prepare(symbolize);
    return libleak_mappings_take_prepared();
}

void libleak_symbols_adopt_prepared(void *prepared)
{
    libleak_mappings_adopt_prepared(prepared);
    adopted = true;
}

void libleak_symbols_release_prepared(void)
{
    libleak_mappings_release_prepared();
}

int libleak_symbols_refresh(void)
{
    int read = libleak_mappings_refresh();
    if (read != 0) { /* the answers named strings and modules of the old list */
        cache_forget();
        libleak_dwarf_forget_modules();
    }
    return read < 0 ? -1 : 0;
}

int libleak_symbols_mapping_count(void)
{
    return libleak_mappings_count();
}

struct libleak_mapping *libleak_symbols_mapping(int index)
{
    return libleak_mappings_get(index);
}

/* The mapping of pc (-1: none), reading the module list on first use. */
static int find_mapping(uint64_t pc)
{
    if (!libleak_mappings_known() && libleak_symbols_refresh() != 0)
        return -1;
    return libleak_mappings_find(pc);
}

/* Tells the mapping what its lookups found, for the profile's has_* flags. */
static void note_found(int mapping, const struct libleak_line *lines, int count)
{
    struct libleak_mapping *m = libleak_mappings_get(mapping);
    for (int i = 0; i < count; i++) {
        m->has_functions |= lines[i].function != NULL;
        m->has_filenames |= lines[i].file != NULL;
        m->has_line_numbers |= lines[i].line > 0;
    }
    m->has_inline_frames |= count > 1;
}

int libleak_symbols_lookup(uint64_t pc, bool symbolize_pc, struct libleak_line *lines, int max,
                           int *mapping_index)
{
    int mapping = find_mapping(pc);
    *mapping_index = mapping;
    if (mapping < 0 || !symbolize_pc || max <= 0 || pc == 0)
        return 0;
    const struct symbolized *hit = cache_find(pc);
    if (hit)
        return copy_lines(lines, max, hit->lines, hit->count);

    struct libleak_line found[LIBLEAK_MAX_INLINE];
    int count = libleak_dwarf_describe(pc, libleak_mappings_object_of(mapping), found, LIBLEAK_MAX_INLINE);
    note_found(mapping, found, count);
    cache_add(pc, found, count);
    return copy_lines(lines, max, found, count);
}

int libleak_symbols_lookup_cached(uint64_t pc, struct libleak_line *lines, int max, int *mapping_index)
{
    *mapping_index = find_mapping(pc);
    if (*mapping_index < 0 || max <= 0 || pc == 0)
        return 0;
    const struct symbolized *hit = cache_find(pc);
    return hit ? copy_lines(lines, max, hit->lines, hit->count) : 0;
}

void libleak_symbols_close_files(void)
{
    libleak_dwarf_end();
}

void libleak_symbols_abandon(void)
{
    memset(&cache, 0, sizeof cache);
    libleak_mappings_abandon();
    libleak_intern_abandon();
    libleak_dwarf_abandon();
}
