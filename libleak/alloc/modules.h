/*
 * modules — which loaded module holds a code address, and whether that module's code keeps
 * frame pointers, answered without the loader's lock; and the module list for symbols.c, read
 * without that lock in a fork child that may have inherited it held.
 */
#ifndef LIBLEAK_MODULES_H
#define LIBLEAK_MODULES_H
#include <link.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/* Reads the modules loaded so far (they stay loaded for good); called once by the constructor,
   before any stack is captured. */
void libleak_modules_init(void);

/* True when address lies in an executable segment of a loaded module; then *frame_pointers
   says whether that module's functions set up %rbp as a frame pointer. Lock-free, no
   allocation, no system call once the module has been seen. */
bool libleak_modules_code(uintptr_t address, bool *frame_pointers);

/* True when [address, address + size) lies in one loaded segment of a loaded module (its
   code, unwind tables, data): memory that may be read without a fault. Lock-free, no system
   call once the module has been seen. */
bool libleak_modules_readable(uintptr_t address, size_t size);

/* Remembers the module holding address if it was loaded after start (for
   libleak_modules_retired): called for frames the frame-pointer walk did not look up. */
void libleak_modules_note(uintptr_t address);

/* The address ranges of modules that frames were captured in and that are no longer loaded as
   they were (unloaded, or replaced at the same address): a frame there cannot be named. Fills at
   most max ranges and returns how many. For the dumper; lock-free. */
int libleak_modules_retired(uintptr_t *starts, uintptr_t *ends, int max);

/* True in a fork child of a parent that had other threads: one of them may have held the
   loader's lock at fork, and glibc does not reset it (dl_iterate_phdr, libunwind's lookups
   and dlopen would wait for it forever). */
extern bool libleak_loader_locked;
static inline bool libleak_modules_loader_locked(void)
{
    return libleak_loader_locked;
}

/* dl_iterate_phdr, or where libleak_modules_loader_locked(), a walk of the loader's r_debug
   list without its lock (dlpi_adds and dlpi_subs are then not reported: size says so). */
int libleak_modules_iterate(int (*callback)(struct dl_phdr_info *, size_t, void *), void *data);

#endif
