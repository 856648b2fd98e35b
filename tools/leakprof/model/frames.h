/*
 * frames.h — the table of distinct frames of every profile loaded in one run.
 *
 * A frame is what a person reads in a stack: a function name (or the address, "0x4005d0",
 * when the file names no function), its source file and line, and whether it was inlined
 * into its caller. Two profiles of two runs of one binary share frames even though their
 * addresses differ, so a stack — a sequence of frame ids — can be compared across files by
 * comparing integers. Frames are interned: one id per distinct (name, file, line, inlined).
 */
#ifndef LEAKPROF_FRAMES_H
#define LEAKPROF_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/id_map.h"

struct frame {
    const char *name; /* never NULL nor "" */
    const char *file; /* "" when unknown */
    int64_t line;     /* 0 when unknown */
    bool inlined;     /* inlined into the next frame (its caller) of the same location */
};

struct frame_table {
    struct frame *frames;
    size_t count, capacity;
    struct libleak_id_map ids; /* a frame's hash -> its id + 1 */
};

void frame_table_init(struct frame_table *table);
void frame_table_free(struct frame_table *table);
uint32_t frame_table_intern(struct frame_table *table, const char *name, const char *file, int64_t line,
                            bool inlined);

static inline const struct frame *frame_get(const struct frame_table *table, uint32_t id)
{
    return &table->frames[id];
}

#endif
