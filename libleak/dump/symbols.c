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
#include "common/hash.h"
#include "dump/interned.h"
#include "dump/mappings.h"

/* What one pc resolved to; lines point into the interned strings. */
struct symbolized {
    uint64_t pc; /* 0 marks an empty slot (pc 0 is never symbolized) */
    int count;
    struct libleak_line *lines;
};

/* The per-pc cache: open addressing, power-of-two capacity, doubled at half full. It lives
   from one module-list change to the next, across dumps, so it takes malloc's memory rather
   than a dump's arena (id_map.h). */
static struct {
    struct symbolized *entries;
    size_t capacity, used;
} cache;

static struct symbolized *cache_slot(struct symbolized *table, size_t capacity, uint64_t pc)
{
    size_t at = libleak_hash_mix(pc) & (capacity - 1);
    while (table[at].pc && table[at].pc != pc)
        at = (at + 1) & (capacity - 1);
    return &table[at];
}

static bool cache_grow(void)
{
    size_t capacity = cache.capacity ? cache.capacity * 2 : 4096;
    struct symbolized *table = calloc(capacity, sizeof *table);
    if (!table)
        return false;
    for (size_t i = 0; i < cache.capacity; i++)
        if (cache.entries[i].pc)
            *cache_slot(table, capacity, cache.entries[i].pc) = cache.entries[i];
    free(cache.entries);
    cache.entries = table;
    cache.capacity = capacity;
    return true;
}

static void cache_forget(void)
{
    for (size_t i = 0; i < cache.capacity; i++)
        free(cache.entries[i].lines);
    free(cache.entries);
    memset(&cache, 0, sizeof cache);
}

/* The cached answer for pc, or NULL. */
static const struct symbolized *cache_find(uint64_t pc)
{
    if (!cache.capacity)
        return NULL;
    const struct symbolized *hit = cache_slot(cache.entries, cache.capacity, pc);
    return hit->pc == pc ? hit : NULL;
}

static void cache_add(uint64_t pc, const struct libleak_line *lines, int count)
{
    if (2 * (cache.used + 1) > cache.capacity && !cache_grow())
        return;
    struct libleak_line *copy = count ? malloc((size_t)count * sizeof *copy) : NULL;
    if (count && !copy)
        return;
    if (count)
        memcpy(copy, lines, (size_t)count * sizeof *copy);
    *cache_slot(cache.entries, cache.capacity, pc) = (struct symbolized){pc, count, copy};
    cache.used++;
}

static int copy_lines(struct libleak_line *lines, int max, const struct libleak_line *from, int count)
{
    int n = count < max ? count : max;
    if (n > 0) /* a cached "no lines" has no array: memcpy from NULL is undefined */
        memcpy(lines, from, (size_t)n * sizeof *lines);
    return n;
}

void libleak_symbols_prepare(bool symbolize)
{
    if (symbolize)
        libleak_dwarf_find_demangler();
    libleak_mappings_prepare();
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
