/*
 * frames.c — interning of frames (see frames.h). The names are copied, so a frame outlives
 * the decoded message it came from.
 */
#include "model/frames.h"

#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "model/util.h"

void frame_table_init(struct frame_table *table)
{
    memset(table, 0, sizeof *table);
    id_map_init(&table->ids, 512);
}

void frame_table_free(struct frame_table *table)
{
    for (size_t i = 0; i < table->count; i++) {
        free((char *)table->frames[i].name);
        free((char *)table->frames[i].file);
    }
    free(table->frames);
    libleak_id_map_free(&table->ids);
    memset(table, 0, sizeof *table);
}

static uint64_t frame_hash(const struct frame *frame)
{
    uint64_t h = libleak_hash_bytes(LIBLEAK_FNV_OFFSET_BASIS, frame->name, strlen(frame->name) + 1);
    h = libleak_hash_bytes(h, frame->file, strlen(frame->file) + 1);
    h = libleak_hash_bytes(h, &frame->line, sizeof frame->line);
    return libleak_hash_bytes(h, &frame->inlined, sizeof frame->inlined);
}

static bool same_frame(const void *owner, uint32_t id, const void *what)
{
    const struct frame *f = &((const struct frame_table *)owner)->frames[id - 1], *wanted = what;
    return f->line == wanted->line && f->inlined == wanted->inlined && strcmp(f->name, wanted->name) == 0 &&
           strcmp(f->file, wanted->file) == 0;
}

uint32_t frame_table_intern(struct frame_table *table, const char *name, const char *file, int64_t line,
                            bool inlined)
{
    struct frame wanted = {name, file, line, inlined};
    uint64_t hash = frame_hash(&wanted);
    id_map_reserve(&table->ids);
    uint64_t slot = libleak_id_map_slot(&table->ids, hash, same_frame, table, &wanted);
    if (table->ids.ids[slot])
        return table->ids.ids[slot] - 1;
    if (table->count == table->capacity) {
        table->capacity = table->capacity ? table->capacity * 2 : 256;
        table->frames = xreallocarray(table->frames, table->capacity, sizeof *table->frames);
    }
    table->frames[table->count++] = (struct frame){xstrdup(name), xstrdup(file), line, inlined};
    libleak_id_map_set(&table->ids, slot, hash, (uint32_t)table->count);
    return (uint32_t)table->count - 1;
}
