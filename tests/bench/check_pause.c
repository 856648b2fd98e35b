/*
 * check_pause [MIB [CHECKS [pointers]]]: the pause of a leak check on demand (issue 16 part 4)
 * on a heap of MIB MiB (default 1024): blocks of 4 KiB, each filled with data that is no
 * pointer (with "pointers": with pointers to the blocks made before it, as in a heap of linked
 * objects), held in chains from a global array (a cache), and one block in 64 dropped (a leak). Then CHECKS
 * (default 3) calls of libleak_check_now(); each check's report line says how long the world
 * stopped and how much memory it scanned, which tests/bench/run.py reads (the check_pause rows).
 */
#include <string.h>

#include "bench.h"
#include "libleak.h"

#define BLOCK 4096
#define CHAINS 4096

struct node {
    struct node *next;
    char data[BLOCK - sizeof(struct node *)];
};

struct node *check_pause_chains[CHAINS]; /* not static: only the check reads it */

int main(int argc, char **argv)
{
    long mib = bench_arg(argc, argv, 1, 1024);
    long checks = bench_arg(argc, argv, 2, 3);
    int pointers = argc > 3 && strcmp(argv[3], "pointers") == 0;
    size_t blocks = (size_t)mib * (1 << 20) / BLOCK;
    for (size_t i = 0; i < blocks; i++) {
        struct node *node = malloc(sizeof *node);
        if (!node)
            return 1;
        memset(node->data, 0x5a, sizeof node->data);
        for (size_t w = 0; pointers && w + sizeof(void *) <= sizeof node->data; w += sizeof(void *)) {
            struct node *earlier = check_pause_chains[(i + w) % CHAINS];
            memcpy(node->data + w, &earlier, sizeof earlier);
        }
        if (i % 64 == 63) { /* dropped */
            node->next = NULL;
            __asm__ volatile("" ::"r"(node) : "memory");
            continue;
        }
        node->next = check_pause_chains[i % CHAINS];
        check_pause_chains[i % CHAINS] = node;
    }
    if (!libleak_check_now) {
        fprintf(stderr, "check_pause: libleak_check_now is not there (no libleak.so preloaded)\n");
        return 2;
    }
    for (long c = 0; c < checks; c++)
        fprintf(stderr, "check_pause: libleak_check_now returned %ld\n", libleak_check_now());
    return 0;
}
