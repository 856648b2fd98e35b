/*
 * proc_maps — /proc/self/maps, the one reader of it: a pure parser of one line (unit tests
 * feed it strings, as Go's runtime/pprof keeps parseProcSelfMaps apart from the read) and a
 * reader that hands each parsed line to a callback.
 *
 * The reader runs at load time (alloc/thread_stack.c learns the main thread's stack from it;
 * never on the allocation path: open() is a system call and a cancellation point) and in the
 * stopped world of the gate: raw read(2) into buffers on the caller's stack (1 KiB),
 * no stdio, no malloc, no lock; the descriptor comes from libleak_open_high (os/descriptors.h).
 */
#ifndef LIBLEAK_PROC_MAPS_H
#define LIBLEAK_PROC_MAPS_H

#include <stdbool.h>
#include <stdint.h>

struct libleak_maps_entry {
    uintptr_t start, end;    /* [start, end) */
    bool readable, writable, executable;
    bool anonymous;          /* no file name, or "[anon:...]" (a name given with PR_SET_VMA) */
    const char *name;        /* the path or "[stack]", "[heap]"...; "" when none; valid during
                                the callback only, and cut short for very long paths */
};

/* Parses one line of a maps file, without its newline. False when it is not one. */
bool libleak_maps_parse_line(const char *line, struct libleak_maps_entry *entry);

/* Reads /proc/self/maps and calls visit for each line in address order, until visit returns
   false. Returns false when the file could not be opened or read. */
bool libleak_maps_read(bool (*visit)(const struct libleak_maps_entry *entry, void *context), void *context);

/* The mapping that holds address, from /proc/self/maps; false when none does. */
bool libleak_maps_find(uintptr_t address, uintptr_t *start, uintptr_t *end);

#endif
