/*
 * roots — where the program may keep pointers: the writable segments of every loaded module
 * (but libleak's), every thread's stack, registers, thread descriptor, static TLS and DTV, and
 * anonymous memory with what is not the program's data cut out. Each root is clipped to
 * readable mappings of the scan's memory map.
 */
#ifndef LIBLEAK_ROOTS_H
#define LIBLEAK_ROOTS_H
#include <link.h>
#include <stddef.h>
#include <stdint.h>

#include "gate/reach_private.h"

struct tls_module {
    intptr_t offset; /* of the module's static TLS block from the thread pointer */
    uint64_t size;
};

#define MAX_TLS_MODULES 256

#define MAX_MODULE_RANGES 4096

/* What the walk of the loaded modules learnt, for the threads' roots and the cut-outs. */
struct module_walk {
    struct scan_context *scan;
    uintptr_t tp;
    struct tls_module tls[MAX_TLS_MODULES];
    size_t tls_count;
    struct libleak_reach_region modules[MAX_MODULE_RANGES]; /* every PT_LOAD, page-rounded */
    size_t module_count;
    struct libleak_reach_region vtable_areas[MAX_MODULE_RANGES]; /* PT_LOADs without PF_X */
    size_t vtable_area_count;
};

/* Found once at start (dlsym allocates, so not at exit): the size of glibc's thread
   descriptor, for the scan of each thread's TCB. */
void libleak_roots_init(void);

/* The dl_iterate_phdr callback of the module walk (data: the struct module_walk). */
int libleak_roots_visit_module(struct dl_phdr_info *info, size_t size, void *data);

/* One thread's roots from its stack pointer sp and its thread pointer tp (0: unknown). */
void libleak_roots_add_thread(struct scan_context *scan, const struct module_walk *walk, uintptr_t sp,
                              uintptr_t tp);

/* A thread's own stack when sp lies elsewhere (an alternate signal stack, a coroutine's):
   the main thread's whole stack mapping, or another thread's from the start of the mapping
   holding its thread pointer up to that pointer. Nothing when sp is on it already. */
void libleak_roots_add_home_stack(struct scan_context *scan, uintptr_t sp, uintptr_t tp, bool main_thread);

/* A region that holds a thread's registers (a copy of ours, tracer.h). */
void libleak_roots_add_registers(struct scan_context *scan, const uintptr_t *registers, size_t count);

/* The anonymous mappings, but those holding one of the stack pointers (scanned as stacks). */
void libleak_roots_add_anonymous(struct scan_context *scan, const struct module_walk *walk,
                                 const uintptr_t *stack_pointers, size_t stack_pointer_count);

#endif
