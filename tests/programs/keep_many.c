/*
 * keep_many: keeps COUNT 16-byte blocks from keep_many_blocks, writes a profile with
 * libleak_dump("many.pb.gz") at the peak, frees them all and exits.
 *   keep_many [COUNT]   prints "truth keep_many_blocks COUNT BYTES"
 */
#include <libleak.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"

SITE void keep_many_blocks(void **blocks, long count)
{
    for (long i = 0; i < count; i++) {
        blocks[i] = malloc(16);
        if (!blocks[i]) {
            fprintf(stderr, "keep_many: malloc: %s\n", strerror(errno));
            exit(2);
        }
    }
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 1000000;
    void **blocks = calloc((size_t)count, sizeof *blocks);
    if (!blocks)
        return 2;
    keep_many_blocks(blocks, count);
    printf("truth keep_many_blocks %ld %ld\n", count, count * 16);
    fflush(stdout);
    if (libleak_dump && libleak_dump("many.pb.gz") != 0)
        fprintf(stderr, "keep_many: libleak_dump: %s\n", strerror(errno));
    for (long i = 0; i < count; i++)
        free(blocks[i]);
    free(blocks);
    return 0;
}
