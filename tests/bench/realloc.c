/*
 * realloc OPS: 256 buffers grow by half again with realloc until they pass 64 KiB and start
 * over, while calloc'd records and posix_memalign'd blocks come and go beside them. The mix a
 * parser or a string builder makes: realloc is the call a profiler most easily gets wrong
 * (untrack, re-track on failure) and its cost is paid on every growth.
 */
#include "bench.h"

#include <string.h>

#define NBUF   256
#define NSMALL 512

int main(int argc, char **argv)
{
    long ops = bench_arg(argc, argv, 1, 8000000);
    static char *buf[NBUF];
    static size_t len[NBUF];
    static void *small[NSMALL];
    uint64_t seed = 0x243F6A8885A308D3ULL;
    unsigned long sum = 0;
    for (long i = 0; i < ops; i++) {
        uint64_t r = bench_rand(&seed);
        unsigned kind = (unsigned)(r % 8);
        if (kind < 4) {
            /* Grow a buffer: the realloc path, sometimes moving, sometimes in place. */
            size_t b = (size_t)((r >> 8) % NBUF);
            size_t n = len[b] < 16 ? 16 : len[b] + len[b] / 2;
            if (n > 65536) {
                free(buf[b]);
                buf[b] = NULL;
                n = 16;
            }
            char *p = realloc(buf[b], n);
            if (!p)
                return 1;
            p[n - 1] = (char)i;
            buf[b] = p;
            len[b] = n;
            sum += (unsigned char)p[n - 1];
        } else if (kind < 7) {
            /* Zeroed records, 24..280 bytes. */
            size_t s = (size_t)((r >> 16) % NSMALL);
            free(small[s]);
            size_t count = 1 + (size_t)((r >> 32) % 35);
            char *p = calloc(count, 8);
            if (!p)
                return 1;
            sum += (unsigned char)p[0];
            small[s] = p;
        } else {
            /* Cache-line or page aligned blocks, the other entry point with its own path. */
            size_t s = (size_t)((r >> 16) % NSMALL);
            free(small[s]);
            size_t align = (r >> 40) & 1 ? 4096 : 64;
            void *p = NULL;
            if (posix_memalign(&p, align, 64 + (size_t)((r >> 44) % 960)) != 0)
                return 1;
            memset(p, 0, 8);
            small[s] = p;
        }
    }
    for (int b = 0; b < NBUF; b++)
        free(buf[b]);
    for (int s = 0; s < NSMALL; s++)
        free(small[s]);
    if (sum == 1)
        puts("");
    return 0;
}
