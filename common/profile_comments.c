/*
 * profile_comments — reading libleak's profile comments back (profile_comments.h), with the
 * very formats the writer prints.
 */
#include "common/profile_comments.h"

#include <stdio.h>

bool libleak_comment_read_resident(const char *comment, uint64_t *bytes)
{
    unsigned long long value;
    if (sscanf(comment, LIBLEAK_COMMENT_RESIDENT, &value) != 1)
        return false;
    *bytes = value;
    return true;
}

bool libleak_comment_read_allocator(const char *comment, struct libleak_allocator_comment *out)
{
    unsigned long long in_use, free_in_arenas, mmapped, arenas;
    if (sscanf(comment, LIBLEAK_COMMENT_ALLOCATOR, &in_use, &free_in_arenas, &mmapped, &arenas) != 4)
        return false;
    *out = (struct libleak_allocator_comment){in_use, free_in_arenas, mmapped, arenas};
    return true;
}

bool libleak_comment_read_samples(const char *comment, struct libleak_samples_comment *out)
{
    unsigned long long taken, dropped_stacks, dropped_live;
    if (sscanf(comment, LIBLEAK_COMMENT_SAMPLES, &taken, &dropped_stacks, &dropped_live) != 3)
        return false;
    *out = (struct libleak_samples_comment){taken, dropped_stacks, dropped_live};
    return true;
}
