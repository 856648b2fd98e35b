/*
 * errno_keep: a successful malloc, calloc, realloc, free, posix_memalign or aligned_alloc must
 * leave errno as the program set it (programs print strerror(errno) after logging code that
 * allocates). Under the library every call may take the sampling path; this checks errno
 * after each one. Prints "errno kept" or the calls that changed it; exit status 0 or 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "site.h"
enum { ROUNDS = 2000, MAGIC = 4242 };
static int changed;

#define KEEP(call)                                                                                           \
    do {                                                                                                     \
        errno = MAGIC;                                                                                       \
        call;                                                                                                \
        if (errno != MAGIC) {                                                                                \
            if (changed++ < 5)                                                                               \
                fprintf(stderr, "errno_keep: %s changed errno to %d\n", #call, errno);                       \
        }                                                                                                    \
    } while (0)

SITE void exercise(int round)
{
    void *p = NULL, *q = NULL;
    size_t size = 16 + (size_t)(round * 37) % 5000;
    KEEP(p = malloc(size));
    KEEP(q = realloc(p, size * 2));
    KEEP(free(q));
    KEEP(p = calloc(3, size));
    KEEP(free(p));
    KEEP((void)posix_memalign(&p, 64, size));
    KEEP(free(p));
    KEEP(p = aligned_alloc(64, 640));
    KEEP(free(p));
    KEEP(free(NULL));
}

int main(void)
{
    for (int round = 0; round < ROUNDS; round++)
        exercise(round);
    if (changed) {
        printf("errno changed %d times\n", changed);
        return 1;
    }
    printf("errno kept\n");
    return 0;
}
