/*
 * frames.c — interning of frames (see frames.h). The names are copied, so a frame outlives
 * the decoded message it came from.
 */
#include "model/frames.h"

#include <stdlib.h>
#include <string.h>

#include "model/util.h"

void frame_table_init(struct frame_table *table)
{
    memset(table, 0, sizeof *table);
}

void frame_table_free(struct frame_table *table)
{
    for (size_t i = 0; i < table->count; i++) {
        free((char *)table->frames[i].name);
        free((char *)table->frames[i].file);
    }
    free(table->frames);
    free(table->slots);
    memset(table, 0, sizeof *table);
}

static uint64_t frame_hash(const char *name, const char *file, int64_t line, bool inlined)
{
    uint64_t h = hash_bytes(HASH_SEED, name, strlen(name) + 1);
    h = hash_bytes(h, file, strlen(file) + 1);
    h = hash_bytes(h, &line, sizeof line);
    return hash_bytes(h, &inlined, sizeof inlined);
}

static bool frame_equal(const struct frame *f, const char *name, const char *file, int64_t line, bool inlined)
{
    return f->line == line && f->inlined == inlined && strcmp(f->name, name) == 0 &&
           strcmp(f->file, file) == 0;
}

/* Keeps the load factor under one half so that probe sequences stay short. */
static void grow_slots(struct frame_table *table)
{
    size_t slot_count = table->slot_count ? table->slot_count * 2 : 1024;
    uint32_t *slots = xcalloc(slot_count, sizeof *slots);
    for (size_t id = 0; id < table->count; id++) {
        const struct frame *f = &table->frames[id];
        size_t i = frame_hash(f->name, f->file, f->line, f->inlined) & (slot_count - 1);
        while (slots[i])
            i = (i + 1) & (slot_count - 1);
        slots[i] = (uint32_t)id + 1;
    }
    free(table->slots);
    table->slots = slots;
    table->slot_count = slot_count;
}

uint32_t frame_table_intern(struct frame_table *table, const char *name, const char *file, int64_t line,
                            bool inlined)
{
    if ((table->count + 1) * 2 > table->slot_count)
        grow_slots(table);
    size_t mask = table->slot_count - 1;
    size_t i = frame_hash(name, file, line, inlined) & mask;
    for (; table->slots[i]; i = (i + 1) & mask) {
        uint32_t id = table->slots[i] - 1;
        if (frame_equal(&table->frames[id], name, file, line, inlined))
            return id;
    }
    if (table->count == table->capacity) {
        table->capacity = table->capacity ? table->capacity * 2 : 256;
        table->frames = xreallocarray(table->frames, table->capacity, sizeof *table->frames);
    }
    uint32_t id = (uint32_t)table->count++;
    table->frames[id] = (struct frame){xstrdup(name), xstrdup(file), line, inlined};
    table->slots[i] = id + 1;
    return id;
}
