/*
 * entry_points: calls every malloc-family entry point libleak interposes, checks each result
 * itself (exit status 1 and a line on stderr when one is wrong), keeps its own account of what
 * stays live from the site `exercise`, and writes a profile with libleak_dump("entry.pb.gz").
 * Prints:  truth exercise LIVE_OBJECTS LIVE_BYTES
 * (sizes are the requested sizes; pvalloc is asked for whole pages so that request and block
 * agree).
 */
#include <libleak.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "site.h"

static int failures;
static long live_objects, live_bytes;
static void *kept[64];
static size_t kept_count;
void *volatile sink;
/* Through volatiles, so that the compiler does not reject the sizes it can see are absurd. */
static volatile size_t huge_volatile = SIZE_MAX / 2, max_volatile = SIZE_MAX;

#define CHECK(cond, ...)                                                                                     \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            failures++;                                                                                      \
            fprintf(stderr, "entry_points: line %d: ", __LINE__);                                            \
            fprintf(stderr, __VA_ARGS__);                                                                    \
            fputc('\n', stderr);                                                                             \
        }                                                                                                    \
    } while (0)

static void keep(void *p, size_t size)
{
    kept[kept_count++] = p;
    live_objects++;
    live_bytes += (long)size;
}
static int aligned(void *p, size_t alignment)
{
    return ((uintptr_t)p & (alignment - 1)) == 0;
}

SITE void exercise(void)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t huge = huge_volatile, max = max_volatile;
    void *p, *q;
    int rc;

    /* malloc, free, free(NULL), malloc(0) (freed: a 0-byte block is not counted either way) */
    p = malloc(123);
    CHECK(p, "malloc(123) = NULL");
    memset(p, 1, 123);
    keep(p, 123);
    p = malloc(77);
    CHECK(p, "malloc(77) = NULL");
    sink = p;
    free(p);
    free(NULL);
    p = malloc(0);
    sink = p;
    free(p);
    CHECK(malloc_usable_size(kept[0]) >= 123, "malloc_usable_size = %zu < 123", malloc_usable_size(kept[0]));
    CHECK(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) = %zu", malloc_usable_size(NULL));

    /* calloc: zeroed; overflow fails with ENOMEM */
    p = calloc(10, 30);
    CHECK(p, "calloc(10, 30) = NULL");
    for (int i = 0; p && i < 300; i++)
        CHECK(((char *)p)[i] == 0, "calloc byte %d not zero", i);
    keep(p, 300);
    errno = 0;
    p = calloc(huge, 4);
    CHECK(!p && errno == ENOMEM, "calloc(SIZE_MAX/2, 4) = %p, errno %d", p, errno);

    /* realloc: NULL (= malloc), grow, shrink, to 0 (= free), failed (the old block stays) */
    p = realloc(NULL, 50);
    CHECK(p, "realloc(NULL, 50) = NULL");
    memset(p, 7, 50);
    q = realloc(p, 5000);
    CHECK(q, "realloc grow = NULL");
    for (int i = 0; q && i < 50; i++)
        CHECK(((char *)q)[i] == 7, "realloc lost byte %d", i);
    p = realloc(q, 40);
    CHECK(p, "realloc shrink = NULL");
    keep(p, 40);
    p = malloc(999);
    CHECK(p, "malloc(999) = NULL");
    errno = 0;
    q = realloc(p, 0); /* glibc frees and returns NULL */
    if (q) {
        sink = q;
        free(q);
    }
    p = malloc(2000);
    CHECK(p, "malloc(2000) = NULL");
    errno = 0;
    q = realloc(p, huge);
    CHECK(!q && errno == ENOMEM, "realloc(p, SIZE_MAX/2) = %p, errno %d", q, errno);
    if (q)
        free(q);
    else
        keep(p, 2000); /* still ours after the failed realloc */

    /* reallocarray: like realloc, with an overflow check */
    p = reallocarray(NULL, 20, 10);
    CHECK(p, "reallocarray(NULL, 20, 10) = NULL");
    q = reallocarray(p, 40, 10);
    CHECK(q, "reallocarray grow = NULL");
    keep(q, 400);
    p = malloc(64);
    CHECK(p, "malloc(64) = NULL");
    errno = 0;
    q = reallocarray(p, huge, 4);
    CHECK(!q && errno == ENOMEM, "reallocarray overflow = %p, errno %d", q, errno);
    if (q)
        free(q);
    else
        keep(p, 64);
    errno = 0;
    q = reallocarray(NULL, huge, 4);
    CHECK(!q && errno == ENOMEM, "reallocarray(NULL, overflow) = %p, errno %d", q, errno);

    /* the aligned family */
    p = memalign(256, 1000);
    CHECK(p && aligned(p, 256), "memalign(256, 1000) = %p", p);
    keep(p, 1000);
    p = NULL;
    rc = posix_memalign(&p, 64, 640);
    CHECK(rc == 0 && p && aligned(p, 64), "posix_memalign(64, 640) = %d, %p", rc, p);
    keep(p, 640);
    q = (void *)&rc;
    rc = posix_memalign(&q, 3, 100);
    CHECK(rc == EINVAL && q == (void *)&rc, "posix_memalign(align 3) = %d, %p", rc, q);
    q = (void *)&rc;
    rc = posix_memalign(&q, 24, 100);
    CHECK(rc == EINVAL && q == (void *)&rc, "posix_memalign(align 24) = %d, %p", rc, q);
    q = (void *)&rc;
    rc = posix_memalign(&q, 0, 100);
    CHECK(rc == EINVAL, "posix_memalign(align 0) = %d", rc);
    q = NULL;
    rc = posix_memalign(&q, 64, huge);
    CHECK(rc == ENOMEM, "posix_memalign(64, SIZE_MAX/2) = %d", rc);
    p = aligned_alloc(128, 384);
    CHECK(p && aligned(p, 128), "aligned_alloc(128, 384) = %p", p);
    keep(p, 384);
    p = valloc(5000);
    CHECK(p && aligned(p, (size_t)page), "valloc(5000) = %p", p);
    keep(p, 5000);
    p = pvalloc((size_t)page * 2);
    CHECK(p && aligned(p, (size_t)page), "pvalloc(2 pages) = %p", p);
    keep(p, (size_t)page * 2);
    p = pvalloc(1);
    CHECK(p && aligned(p, (size_t)page), "pvalloc(1) = %p", p);
    sink = p;
    free(p);
    errno = 0;
    p = memalign(64, huge);
    CHECK(!p && errno == ENOMEM, "memalign(64, SIZE_MAX/2) = %p, errno %d", p, errno);
    errno = 0;
    p = aligned_alloc(64, huge);
    CHECK(!p && errno == ENOMEM, "aligned_alloc(64, SIZE_MAX/2) = %p, errno %d", p, errno);

    /* huge sizes fail cleanly */
    errno = 0;
    p = malloc(huge);
    CHECK(!p && errno == ENOMEM, "malloc(SIZE_MAX/2) = %p, errno %d", p, errno);
    errno = 0;
    p = malloc(max);
    CHECK(!p && errno == ENOMEM, "malloc(max) = %p, errno %d", p, errno);
    errno = 0;
    p = valloc(huge);
    CHECK(!p && errno == ENOMEM, "valloc(SIZE_MAX/2) = %p, errno %d", p, errno);
}

int main(void)
{
    exercise();
    printf("truth exercise %ld %ld\n", live_objects, live_bytes);
    fflush(stdout);
    if (libleak_dump && libleak_dump("entry.pb.gz") != 0)
        CHECK(0, "libleak_dump(\"entry.pb.gz\"): %s", strerror(errno));
    for (size_t i = 0; i < kept_count; i++)
        free(kept[i]);
    if (failures) {
        fprintf(stderr, "entry_points: %d checks failed\n", failures);
        return 1;
    }
    return 0;
}
