/*
 * deepbind — libraries loaded with RTLD_DEEPBIND, made to call our malloc family.
 *
 * A library dlopen'ed with RTLD_DEEPBIND looks its symbols up in its own dependencies before
 * the global scope: its malloc and free bind to libc's directly, past libleak.so (LD_DEBUG=
 * bindings shows it). Its frees of the program's blocks were never seen: phantom leaks at exit,
 * and, once malloc handed the same address out again, the same address entered twice in the
 * live table; a probe run full of one address made later inserts fail, and the gate blamed
 * full tables. Its own allocations were not seen either.
 *
 * So dlopen is interposed, and after a successful RTLD_DEEPBIND load every slot (GOT entry or
 * data word) that a relocation of a malloc-family name filled with the allocator we forward to
 * (dlsym RTLD_NEXT) is given what the global scope binds that name to (dlsym RTLD_DEFAULT: our
 * hook), as if the library had been loaded without the flag for these names only. Slots that
 * bound elsewhere (the library's own malloc, an allocator among its dependencies) are left
 * alone. Slots not yet bound (RTLD_LAZY) are given our hook when the library's own scope would
 * bind them to the forwarded allocator (dlsym on the handle answers what lazy binding will). A
 * read-only slot (RELRO) is made writable for the store and read-only again.
 *
 * dlopen takes its caller's return address to know which object calls it: the caller's RUNPATH
 * and RPATH are searched for a bare name, $ORIGIN means the caller's directory. A frame of ours
 * in between would make libleak.so the caller. So every other call is a tail call to the real
 * dlopen (the program's return address is the one dlopen sees), and a DEEPBIND call is made
 * from our frame only where the caller cannot change the answer (caller_cannot_matter: no
 * $ORIGIN, and a bare name only from the main program without RUNPATH). Otherwise the call is
 * handed on as it came and the library keeps libc's allocator (stderr says so, once).
 */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "alloc/real.h"
#include "alloc/thread.h"
#include "core/export.h"
#include "core/log.h"
#include "process/relocation_slots.h"

typedef void *(*dlopen_function)(const char *, int);

static _Atomic(dlopen_function) real_dlopen;

static const char *const names[] = {
        "malloc", "free",           "calloc",        "realloc", "reallocarray",       "memalign",
        "posix_memalign", "aligned_alloc", "valloc", "pvalloc", "malloc_usable_size",
};
#define NAMES (sizeof names / sizeof names[0])

/* One load's plan: for each name, the forwarded allocator's function (what a bypassing slot
   holds), our hook (what the global scope binds), and where the new library's own scope binds
   it (for lazy slots; NULL when the load is not lazy). */
struct redirect {
    uintptr_t bypassed[NAMES], hooked[NAMES], lazy_target[NAMES];
    size_t first_new; /* objects from this index of dl_iterate_phdr's walk were loaded now */
    size_t index;     /* the walk's position */
};

struct redirect_visit {
    const struct redirect *plan;
    bool new_object;
};

__attribute__((noinline)) static dlopen_function resolve_dlopen(void)
{
    /* dlsym allocates: not the program's allocation (before the allocator is known, the
       bootstrap buffer serves it and there is no "inside" yet: thread.h). */
    bool known = libleak_real_resolve();
    if (known)
        libleak_enter();
    dlopen_function found = (dlopen_function)libleak_real_next("dlopen");
    if (known)
        libleak_leave();
    atomic_store_explicit(&real_dlopen, found, memory_order_release);
    return found;
}

static int count_object(struct dl_phdr_info *info, size_t size, void *count)
{
    (void)info, (void)size;
    ++*(size_t *)count;
    return 0;
}

/* One slot of an object: given our hook when it holds the forwarded allocator, or, in the new
   library, when it is a lazy PLT slot that its own scope would bind to that allocator. */
static void redirect_slot(const struct dl_phdr_info *info, uintptr_t *slot, const char *name, bool jump_slot,
                          void *context)
{
    struct redirect_visit *visit = context;
    const struct redirect *plan = visit->plan;
    size_t which = 0;
    while (which < NAMES && strcmp(name, names[which]) != 0)
        which++;
    if (which == NAMES || !plan->bypassed[which] || !plan->hooked[which] || plan->bypassed[which] == plan->hooked[which])
        return;
    uintptr_t value = atomic_load_explicit((_Atomic uintptr_t *)slot, memory_order_relaxed);
    /* A lazy slot of the new library still points into its own PLT. */
    bool unbound = jump_slot && visit->new_object && libleak_in_segment(info, value, PT_LOAD, PF_X) &&
                   plan->lazy_target[which] == plan->bypassed[which];
    if (value == plan->bypassed[which] || unbound)
        libleak_relocation_slot_store(info, slot, plan->hooked[which]);
}

static int redirect_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct redirect *plan = data;
    struct redirect_visit visit = {plan, plan->index++ >= plan->first_new};
    libleak_relocation_slots_visit(info, redirect_slot, &visit);
    return 0;
}

/* True when a dlopen of `file` made from our frame finds the files the caller's would: no
   $ORIGIN; for a bare name, a main program without RUNPATH and DF_1_NODEFLIB; for a path, a
   caller that is the main program or has no DT_RPATH (the new library's dependencies search the
   RPATH of the objects that loaded it; the main program's is searched whoever the caller). */
static bool caller_cannot_matter(const char *file, const void *caller)
{
    if (strchr(file, '$'))
        return false;
    Dl_info where;
    struct link_map *object = NULL;
    if (!dladdr1(caller, &where, (void **)&object, RTLD_DL_LINKMAP) || !object)
        return false;
    bool main_program = object->l_prev == NULL, path = strchr(file, '/') != NULL;
    if (!path && !main_program)
        return false;
    for (const ElfW(Dyn) *dynamic = object->l_ld; dynamic->d_tag != DT_NULL; dynamic++) {
        if (dynamic->d_tag == DT_RPATH && !main_program)
            return false;
        if (!path && (dynamic->d_tag == DT_RUNPATH ||
                      (dynamic->d_tag == DT_FLAGS_1 && (dynamic->d_un.d_val & DF_1_NODEFLIB))))
            return false;
    }
    return true;
}

__attribute__((noinline)) static void *open_deep(dlopen_function next, const char *file, int mode,
                                                 const void *caller)
{
    if (!caller_cannot_matter(file, caller)) {
        static _Atomic bool told;
        if (!atomic_exchange(&told, true))
            libleak_log("%s is loaded with RTLD_DEEPBIND by a caller whose search path libleak cannot "
                        "reproduce: its malloc and free go to libc directly, unseen",
                        file);
        return next(file, mode);
    }
    static struct redirect plan; /* the names' addresses, the same for every load */
    static _Atomic bool planned;
    libleak_enter(); /* dlsym allocates */
    if (!atomic_load_explicit(&planned, memory_order_acquire)) {
        for (size_t i = 0; i < NAMES; i++) {
            plan.bypassed[i] = (uintptr_t)libleak_real_next(names[i]);
            plan.hooked[i] = (uintptr_t)dlsym(RTLD_DEFAULT, names[i]);
        }
        atomic_store_explicit(&planned, true, memory_order_release);
    }
    struct redirect this_load = plan;
    dl_iterate_phdr(count_object, &this_load.first_new);
    libleak_leave();
    void *handle = next(file, mode);
    if (!handle)
        return NULL;
    libleak_enter();
    if (!(mode & RTLD_NOW))
        for (size_t i = 0; i < NAMES; i++)
            this_load.lazy_target[i] = (uintptr_t)dlsym(handle, names[i]);
    dl_iterate_phdr(redirect_object, &this_load);
    libleak_leave();
    return handle;
}

/* Only an RTLD_DEEPBIND load leaves this frame: every other call is a tail call, so that the
   real dlopen sees the program as its caller. */
EXPORT void *dlopen(const char *file, int mode)
{
    dlopen_function next = atomic_load_explicit(&real_dlopen, memory_order_acquire);
    if (__builtin_expect(!next, 0))
        next = resolve_dlopen();
    if (__builtin_expect((mode & RTLD_DEEPBIND) && file && next, 0))
        return open_deep(next, file, mode, __builtin_return_address(0));
    return next(file, mode);
}
