/*
 * profile_internal.h — what profile_read.c (bytes to message) and profile_resolve.c
 * (message to checked model) share. Not for the commands.
 */
#ifndef LEAKPROF_PROFILE_INTERNAL_H
#define LEAKPROF_PROFILE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/profile.pb-c.h"
#include "model/profile_model.h"

struct decode_budget {
    size_t used, limit;
    bool exceeded;
};

/* Everything a profile owns besides its small arrays. */
struct profile_storage {
    Perftools__Profiles__Profile *message; /* strings of the model point into it */
    struct decode_budget budget;
    ProtobufCAllocator allocator;
    uint32_t *stack_frames;      /* every sample's frame ids, back to back */
    struct sample_label *labels; /* every sample's labels, back to back */
};

/* Prints "leakprof: PATH: " and the message on one line of stderr. */
void profile_error(const char *path, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Checks the message and builds the model; frees STORAGE and returns NULL on failure. */
struct profile *profile_resolve(const char *path, struct profile_storage *storage,
                                struct frame_table *frames);

#endif
