/*
 * errno_rlimit [COUNT]: COUNT (default 1 700 000) mallocs of 32 bytes, all kept, each with
 * errno set to 0 before it; counts the successful ones that left errno changed. Run under a
 * small RLIMIT_AS (ulimit -v) in exact mode, the library's own tables fail to grow (mmap
 * fails with ENOMEM) long before malloc does: that must not show through errno.
 * Prints "ok OK changed CHANGED failed FAILED"; exit status 1 when any errno changed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "site.h"

SITE static void *allocate(size_t size)
{
    return malloc(size);
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 1700000;
    long ok = 0, changed = 0, failed = 0;
    int first_errno = 0;
    for (long i = 0; i < count; i++) {
        errno = 0;
        void *block = allocate(32);
        int error = errno;
        if (!block) {
            failed++;
            continue;
        }
        ok++;
        if (error != 0) {
            if (!changed)
                first_errno = error;
            changed++;
        }
    }
    printf("ok %ld changed %ld failed %ld", ok, changed, failed);
    if (changed)
        printf(" (first errno %d)", first_errno);
    printf("\n");
    return changed ? 1 : 0;
}
