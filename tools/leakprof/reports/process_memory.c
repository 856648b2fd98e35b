/*
 * process_memory.c — parses libleak's memory comments (process_memory.h), in the wording
 * common/profile_comments.h defines for the writer and us; a comment that does not parse is
 * ignored, never an error: comments are free text to every other reader.
 */
#include "reports/process_memory.h"

#include <stdint.h>
#include <string.h>

#include "common/profile_comments.h"
#include "model/util.h"

static void read_one(const struct profile *profile, struct process_memory *out)
{
    for (size_t i = 0; i < profile->comment_count; i++) {
        uint64_t resident;
        struct libleak_allocator_comment allocator;
        if (libleak_comment_read_resident(profile->comments[i], &resident) && resident <= INT64_MAX) {
            out->has_resident = true;
            out->resident = add_saturating(out->resident, (int64_t)resident);
        } else if (libleak_comment_read_allocator(profile->comments[i], &allocator) &&
                   allocator.in_use <= INT64_MAX && allocator.free_in_arenas <= INT64_MAX &&
                   allocator.mmapped <= INT64_MAX) {
            out->has_allocator = true;
            out->allocator_in_use =
                    add_saturating(out->allocator_in_use,
                                   add_saturating((int64_t)allocator.in_use, (int64_t)allocator.mmapped));
            out->allocator_free = add_saturating(out->allocator_free, (int64_t)allocator.free_in_arenas);
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
