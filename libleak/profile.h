/*
 * profile — turning the stack table into a pprof heap profile, gzipped, written to a file
 * descriptor. Runs in the dumper (inside libleak): it allocates from an arena and calls the
 * symbolizer.
 */
#ifndef LIBLEAK_PROFILE_H
#define LIBLEAK_PROFILE_H
#include <stdbool.h>
#include <stdint.h>

struct libleak_profile_request {
    int64_t start_nanos; /* when the process (or the fork child) started being profiled */
    bool symbolize;      /* names and lines, or addresses only */
};

/* Returns 0, or -1 with errno set (write failed: ENOSPC, EIO, ...; or ENOMEM). */
int libleak_profile_write(int fd, const struct libleak_profile_request *request);

#endif
