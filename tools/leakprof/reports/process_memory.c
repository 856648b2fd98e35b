/*
 * process_memory.c — parses libleak's memory comments (process_memory.h). The wording is
 * libleak/dump/profile_writer.c's; a comment that does not parse is ignored, never an error: comments
 * are free text to every other reader.
 */
#include "reports/process_memory.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "model/util.h"

static void read_one(const struct profile *profile, struct process_memory *out)
{
    for (size_t i = 0; i < profile->comment_count; i++) {
        const char *c = profile->comments[i];
        unsigned long long a, b, m, arena;
        if (sscanf(c, "resident memory: %llu bytes (/proc/self/statm)", &a) == 1 && a <= INT64_MAX) {
            out->has_resident = true;
            out->resident = add_saturating(out->resident, (int64_t)a);
        } else if (sscanf(c,
                          "allocator (glibc mallinfo2): %llu bytes in use, %llu bytes free in arenas, "
                          "%llu bytes in mmapped blocks, %llu bytes of arenas",
                          &a, &b, &m, &arena) == 4 &&
                   a <= INT64_MAX && b <= INT64_MAX && m <= INT64_MAX) {
            out->has_allocator = true;
            out->allocator_in_use =
                    add_saturating(out->allocator_in_use, add_saturating((int64_t)a, (int64_t)m));
            out->allocator_free = add_saturating(out->allocator_free, (int64_t)b);
        }
    }
}

void process_memory_read(const struct profile *profile, struct process_memory *out)
{
    memset(out, 0, sizeof *out);
    if (profile->part_count == 0) {
        read_one(profile, out);
        return;
    }
    /* One process per part: a merge's comments are deduplicated, its parts' are not. */
    for (size_t i = 0; i < profile->part_count; i++) {
        struct process_memory part;
        process_memory_read(profile->parts[i], &part);
        out->has_resident |= part.has_resident;
        out->resident = add_saturating(out->resident, part.resident);
        out->has_allocator |= part.has_allocator;
        out->allocator_in_use = add_saturating(out->allocator_in_use, part.allocator_in_use);
        out->allocator_free = add_saturating(out->allocator_free, part.allocator_free);
    }
}
