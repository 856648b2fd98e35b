/*
 * reach — the leak gate's conservative reachability check, as memcheck and LeakSanitizer do it:
 * stop every other thread, take the live blocks of the exact live table, scan the roots (the
 * writable data of every module, every thread's stack, registers and thread-local storage) for
 * words that point into blocks, flood from there, and classify every block as memcheck does:
 * still reachable, possibly lost, indirectly lost or definitely lost.
 *
 * Nothing here allocates from the program's heap: the program's threads are stopped, possibly
 * inside malloc with its locks held. Working memory is mapped directly.
 */
#ifndef LIBLEAK_REACH_H
#define LIBLEAK_REACH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum libleak_reach_state {
    LIBLEAK_UNREACHED = 0, /* after classification: definitely lost (no pointer at all) */
    LIBLEAK_POSSIBLE,      /* only interior pointers, or only from possibly lost blocks */
    LIBLEAK_REACHABLE,     /* a start pointer (or a heuristic one) from a root or a reachable block */
    LIBLEAK_INDIRECT,      /* reachable only from lost blocks */
};

struct libleak_reach_block {
    uintptr_t address;
    uint64_t size;
    uint32_t stack; /* index in the stack table */
    uint8_t state;  /* enum libleak_reach_state */
    uint8_t reported;
};

struct libleak_reach_region {
    uintptr_t start, end;
    /* glibc's own data: its arena's bin and top pointers point at free chunk headers, which
       lie in the last word of the in-use block before them; those words are not pointers of
       the program's (memcheck never sees them: valgrind replaces malloc). */
    bool allocator_data;
};

struct libleak_reach_result {
    struct libleak_reach_block *blocks; /* sorted by address */
    size_t count;
    size_t capacity;
    unsigned threads_stopped;   /* stopped with the signal and scanned */
    unsigned threads_sleeping;  /* blocking the signal inside a system call: scanned from that sp */
    unsigned threads_unscanned; /* could be neither stopped nor scanned (a line on stderr says so) */
    uint64_t root_bytes;        /* bytes of roots scanned */
    bool truncated;             /* more live blocks than room: some were left out */
};

/* Stops the world, classifies every live block, resumes the world. scan_from is the lowest
   address of the calling thread's stack that belongs to the program (below it are libleak's
   own frames). Returns false (result empty) when there is nothing to check or no memory. */
bool libleak_reach_check(struct libleak_reach_result *result, uintptr_t scan_from);

/* The classification alone, for the unit tests and the check: sorts blocks[0..count) by
   address, scans the roots (and treats each pointer of `forced` as a start pointer from a root:
   the loader's per-thread DTV), floods, then marks the lost ones. */
void libleak_reach_classify(struct libleak_reach_block *blocks, size_t count,
                            const struct libleak_reach_region *roots, size_t root_count,
                            const uintptr_t *forced, size_t forced_count);

/* Unmaps what a check mapped. */
void libleak_reach_release(struct libleak_reach_result *result);

/* The stop signal (documented: the program's own use of it is suspended during the check). */
#define LIBLEAK_STOP_SIGNAL SIGPWR

/* Found once at start (dlsym allocates, so not at exit): the size of glibc's thread
   descriptor, for the scan of each thread's TCB. */
void libleak_reach_init(void);

#endif
