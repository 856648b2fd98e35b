/*
 * ages — the samples of an ordinary snapshot, with the age of the live blocks.
 *
 * A leak is memory that stays. One snapshot can say which blocks are old if each sample carries
 * the age of its blocks: the numeric label "age" (unit seconds). The live table knows each
 * sampled block's birth (live.h), so at dump time we walk it once and group its blocks by
 * (stack, age class). Classes double from one second: [0,1), [1,2), [2,4), [4,8), ... — a few
 * dozen classes cover years, so a stack gives at most that many samples, and a block's class is
 * a shift away. A sample's label is the age of the youngest block in it: every block of the
 * sample is at least that old, so "age >= X" filters never keep a block younger than X.
 *
 * The in-use values come from the live blocks (each weighted as when it was sampled: the sum is
 * what the stack's counters say, up to blocks allocated or freed during the walk). The
 * allocations of freed blocks are samples of their own, one per lifetime decade
 * (libleak_profile_emit_freed); the rest are cumulative and have no age; to be counted once
 * they ride on one sample of the stack: its oldest class (the others carry zero), or, for a
 * stack with nothing live, a sample of their own without the label. Not doubling the samples keeps files and -traces as
 * they were for stacks whose blocks are of one age. Under an age filter (leakprof --older-than,
 * pprof -tagfocus) read the inuse_* values: the alloc_* left are those of stacks that still hold
 * blocks that old.
 *
 * Runs in the dumper, inside libleak; its memory is an arena released before the dump ends.
 */
#include "dump/ages.h"

#include <string.h>

#include "core/config.h"
#include "dump/id_map_arena.h"
#include "alloc/live.h"
#include "alloc/memory.h"
#include "dump/profile_writer.h"
#include "alloc/sampler.h"
#include "alloc/stacks.h"
#include "alloc/thread_names.h"

#define AGE_CLASSES 33 /* class 32 holds everything older than 2^31 s */
/* The group under (stack | CLASSES_KEY) holds no blocks: its `classes` says which classes the
   stack has, so that a dump looks up only those (not all 33 for each of 100 000 stacks). */
#define CLASSES_KEY 63

struct age_group {
    uint64_t key; /* the stack record's address | class (records are 64-byte aligned) */
    uint64_t objects, bytes;
    uint64_t classes; /* in the CLASSES_KEY group: bit c set when class c has blocks */
    uint32_t youngest_birth;
};

struct age_table {
    struct libleak_arena arena;
    struct libleak_id_map ids; /* key -> index + 1 in groups */
    struct age_group *groups;
    uint64_t count, capacity;
    uint32_t now;
    bool out_of_memory;
};

/* 0 for an age under 1 s, else 1 + floor(log2(age)). */
static unsigned age_class(uint32_t age)
{
    return age == 0 ? 0 : 32u - (unsigned)__builtin_clz(age);
}

static bool table_init(struct age_table *table, uint64_t expected)
{
    table->capacity = expected;
    table->groups = libleak_arena_alloc(&table->arena, expected * sizeof *table->groups);
    return table->groups && libleak_id_map_init_in_arena(&table->ids, &table->arena, expected);
}

/* The group of key, NULL when there is none. */
static struct age_group *find(const struct age_table *table, uint64_t key)
{
    uint32_t id = table->ids.ids[libleak_id_map_slot(&table->ids, key, NULL, NULL, NULL)];
    return id ? &table->groups[id - 1] : NULL;
}

/* The group of key, added when new; NULL when out of memory. Blocks sampled during the walk
   may outnumber the count the table was sized for: it grows. */
static struct age_group *find_or_add(struct age_table *table, uint64_t key, uint32_t birth, bool *created)
{
    *created = false;
    if (!libleak_id_map_reserve(&table->ids))
        return NULL;
    uint64_t slot = libleak_id_map_slot(&table->ids, key, NULL, NULL, NULL);
    if (table->ids.ids[slot])
        return &table->groups[table->ids.ids[slot] - 1];
    *created = true;
    if (table->count == table->capacity) {
        uint64_t capacity = table->capacity * 2;
        struct age_group *grown = libleak_arena_alloc(&table->arena, capacity * sizeof *grown);
        if (!grown)
            return NULL;
        memcpy(grown, table->groups, table->count * sizeof *grown); /* the old array stays in the arena */
        table->groups = grown;
        table->capacity = capacity;
    }
    struct age_group *group = &table->groups[table->count++];
    *group = (struct age_group){.key = key, .youngest_birth = birth};
    libleak_id_map_set(&table->ids, slot, key, (uint32_t)table->count);
    return group;
}

static void add_block(uintptr_t address, struct libleak_live_block block, void *context)
{
    (void)address;
    struct age_table *table = context;
    if (table->out_of_memory)
        return;
    /* A block born after `now` was read (during the walk) counts as age 0. */
    uint32_t birth = libleak_live_birth_seconds(block);
    uint32_t age = table->now > birth ? table->now - birth : 0;
    uint64_t stack = (uint64_t)(uintptr_t)libleak_stacks_get(block.stack);
    unsigned class = age_class(age);
    bool created, unused;
    struct age_group *group = find_or_add(table, stack | class, birth, &created);
    struct age_group *classes = group && created ? find_or_add(table, stack | CLASSES_KEY, 0, &unused) : NULL;
    if (!group || (created && !classes)) {
        table->out_of_memory = true;
        return;
    }
    if (classes)
        classes->classes |= 1ULL << class;
    struct libleak_weight weight = libleak_sampler_weight(block.size, libleak_config.rate);
    group->objects += weight.objects;
    group->bytes += weight.bytes;
    if (birth > group->youngest_birth)
        group->youngest_birth = birth;
}

struct emit_target {
    struct age_table *table; /* NULL: the walk ran out of memory, one sample per stack as without ages */
    void (*emit)(const struct libleak_profile_sample *sample, void *emit_context);
    void *emit_context;
};

/* A stack's samples: one per age class of its live blocks, oldest first, the oldest also
   carrying the stack's allocation totals; a stack with no live block gets one sample of its
   allocation totals, without age. */
static void emit_stack(struct libleak_stack *stack, void *context)
{
    struct emit_target *target = context;
    struct age_table *table = target->table;
    struct libleak_stack_totals totals;
    libleak_stacks_totals(stack, &totals);
    if (totals.alloc_objects == 0)
        return;
    libleak_profile_emit_freed(stack, &totals, target->emit, target->emit_context);
    struct libleak_profile_sample sample = {stack->frames, stack->depth, {0}, -1,
                                            libleak_thread_name(stack->thread_name), -1};
    libleak_profile_values(&totals, sample.values);
    int64_t alloc_objects = sample.values[0], alloc_bytes = sample.values[1];
    bool emitted = false;
    const struct age_group *present = table ? find(table, (uint64_t)(uintptr_t)stack | CLASSES_KEY) : NULL;
    uint64_t classes = present ? present->classes : 0;
    while (classes) { /* oldest class first */
        unsigned oldest = 63u - (unsigned)__builtin_clzll(classes);
        classes &= ~(1ULL << oldest);
        const struct age_group *group = find(table, (uint64_t)(uintptr_t)stack | oldest);
        if (!group)
            continue;
        struct libleak_stack_totals live = {group->objects, group->bytes, 0, 0};
        libleak_profile_values(&live, sample.values);
        sample.values[0] = emitted ? 0 : alloc_objects;
        sample.values[1] = emitted ? 0 : alloc_bytes;
        sample.age_seconds = table->now > group->youngest_birth ? table->now - group->youngest_birth : 0;
        target->emit(&sample, target->emit_context);
        emitted = true;
    }
    if (emitted)
        return;
    if (table) /* no live block (or one sampled during the walk): in use is what the walk saw */
        sample.values[2] = sample.values[3] = 0;
    if (sample.values[0] || sample.values[1] || sample.values[2] || sample.values[3])
        target->emit(&sample, target->emit_context);
}

static void for_each_sample(void *context,
                            void (*emit)(const struct libleak_profile_sample *sample, void *emit_context),
                            void *emit_context)
{
    (void)context;
    struct age_table table = {.now = libleak_live_now_seconds()};
    /* Near RLIMIT_AS the dump runs on the reserve taken at start (memory.h): the samples come
       before their ages, which then stay out. A table that ran short is let go before the
       samples need the room (8192 stacks lost every sample to it: lib_address_space_full). */
    bool walked = !libleak_arena_reserve_in_use() && table_init(&table, libleak_live_count() / 4 + 64);
    if (walked)
        libleak_live_for_each(add_block, &table);
    if (!walked || table.out_of_memory)
        libleak_arena_release(&table.arena);
    struct emit_target target = {walked && !table.out_of_memory ? &table : NULL, emit, emit_context};
    libleak_stacks_for_each(emit_stack, &target);
    libleak_arena_release(&table.arena);
}

const struct libleak_profile_source *libleak_ages_source(void)
{
    static const struct libleak_profile_source source = {for_each_sample, NULL, 0};
    return &source;
}
