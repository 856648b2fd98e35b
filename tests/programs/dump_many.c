/*
 * dump_many: writes COUNT (argument, default 10) snapshots with libleak_dump(NULL), keeping a
 * block between each (keep_between), for LIBLEAK_MAX_FILES.
 */
#include <libleak.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"

SITE void *keep_between(void)
{
    void *p = malloc(100000);
    memset(p, 1, 100000);
    return p;
}

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 10;
    for (int i = 0; i < count; i++) {
        keep_between();
        if (!libleak_dump || libleak_dump(NULL) != 0) {
            fprintf(stderr, "dump_many: libleak_dump: %s\n",
                    libleak_dump ? strerror(errno) : "not available");
            return 2;
        }
    }
    return 0;
}
