/*
 * process_memory.h — what a profile says about its process's memory beside the samples:
 * resident memory and the allocator's own view, which libleak writes as comments
 * (libleak/dump/profile_writer.c, add_memory_comments). growth, info and html show them next to the
 * in-use estimate, so that memory held by the allocator (fragmentation) is not mistaken
 * for a leak, nor a leak for fragmentation.
 */
#ifndef LEAKPROF_PROCESS_MEMORY_H
#define LEAKPROF_PROCESS_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "model/profile_model.h"

struct process_memory {
    bool has_resident;
    int64_t resident; /* bytes resident (RSS), from /proc/self/statm */
    bool has_allocator;
    int64_t allocator_in_use; /* glibc: bytes in use in arenas plus mmapped blocks */
    int64_t allocator_free;   /* glibc: bytes free inside its arenas (held, not returned) */
};

/*
 * Reads PROFILE's comments; a merge (profile_merge.c) sums its parts, one process each.
 * Fields stay false/0 when the profile has no such comment (Go's, older libleak's).
 */
void process_memory_read(const struct profile *profile, struct process_memory *out);

#endif
