/*
 * reach — the leak gate's reachability scan, as memcheck and LeakSanitizer do it: stop every
 * other thread (stop_world.c), take the live blocks of the exact live table, find the roots
 * (roots.c: the writable data of every module, every thread's stack, registers and
 * thread-local storage, anonymous memory), classify every block as memcheck does
 * (classify.c): still reachable, possibly lost, indirectly lost or definitely lost; resume.
 *
 * Nothing here allocates from the program's heap: the program's threads are stopped, possibly
 * inside malloc with its locks held. Working memory is mapped directly.
 */
#ifndef LIBLEAK_REACH_H
#define LIBLEAK_REACH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gate/classify.h"

struct libleak_reach_result {
    struct libleak_reach_block *blocks; /* sorted by address */
    size_t count;
    size_t capacity;
    unsigned threads_stopped;   /* stopped with the signal and scanned */
    unsigned threads_sleeping;  /* blocking the signal inside a system call: scanned from that sp */
    unsigned threads_unscanned; /* could be neither stopped nor scanned (a line on stderr says so) */
    uint64_t root_bytes;        /* bytes of roots scanned */
    uint64_t pause_nanos;       /* from stopping the world to resuming it */
    bool truncated;             /* more live blocks than room: some were left out */
    bool heap_unscanned;        /* sampled blocks, yet the heap could not be read: no verdict */
};

/* Stops the world, classifies every live block, resumes the world. caller->sp is the lowest
   address of the calling thread's stack that belongs to the program (below it are libleak's
   own frames), its registers are the program's at that frame; caller NULL: the calling thread
   is one of libleak's (a check mid-run), nothing of its stack is a root. Returns false (result
   empty) when there is nothing to check or no memory.
   With sampling (LIBLEAK_RATE above 1) the live table holds only the sampled blocks: the heap
   is then read as raw words, a root like the rest (malloc's arenas, [heap], large blocks), so
   that any word outside a sampled block that points into it keeps it, whether the word lies in
   an unsampled block, a lost one or a free chunk. */
struct libleak_exit_caller;
bool libleak_reach_scan(struct libleak_reach_result *result, const struct libleak_exit_caller *caller);

/* Unmaps what a scan mapped. */
void libleak_reach_release(struct libleak_reach_result *result);

#endif
