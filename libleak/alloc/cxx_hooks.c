/*
 * cxx_hooks — C++'s operator new and operator delete, every form of them.
 *
 * With glibc underneath, libstdc++'s operator new calls malloc and we would see the block in
 * our malloc hook, with operator new as the leaf of its stack. With jemalloc or tcmalloc
 * preloaded after us, their own operator new never calls malloc at all, so `new` would be
 * invisible. So we define the whole family ourselves (plain, array, nothrow, aligned, sized and
 * aligned deletes): each forwards to the next definition in line (dlsym(RTLD_NEXT): jemalloc's,
 * tcmalloc's or libstdc++'s), with the "inside" flag set so that a malloc it makes is not
 * counted a second time, and then counts the block itself. Our frames are cut from every
 * stack like all of libleak's, so the program's call of new is the leaf, as runtime.mallocgc
 * never shows in a Go profile.
 *
 * Where no next definition exists (a program that defines none and links no C++ runtime, yet
 * calls these names), the malloc family is used instead.
 *
 * The next operator new may throw std::bad_alloc through our frame: this file is built with
 * -fexceptions, and the "inside" flag is left by a cleanup handler on that path too. A
 * new_handler that libstdc++ calls while memory is short runs inside libleak, so what it
 * allocates is not tracked; what it frees is forgotten all the same (hooks.c's free).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#include "core/export.h"
#include "alloc/real.h"
#include "alloc/thread.h"
#include "alloc/track.h"

/* Every operator new and delete we define, in the order of the names below. */
enum cxx_function {
    NEW,
    NEW_ARRAY,
    NEW_NOTHROW,
    NEW_ARRAY_NOTHROW,
    NEW_ALIGNED,
    NEW_ARRAY_ALIGNED,
    NEW_ALIGNED_NOTHROW,
    NEW_ARRAY_ALIGNED_NOTHROW,
    DELETE,
    DELETE_ARRAY,
    DELETE_SIZED,
    DELETE_ARRAY_SIZED,
    DELETE_NOTHROW,
    DELETE_ARRAY_NOTHROW,
    DELETE_ALIGNED,
    DELETE_ARRAY_ALIGNED,
    DELETE_SIZED_ALIGNED,
    DELETE_ARRAY_SIZED_ALIGNED,
    DELETE_ALIGNED_NOTHROW,
    DELETE_ARRAY_ALIGNED_NOTHROW,
    CXX_FUNCTIONS
};

static const char *const mangled_names[CXX_FUNCTIONS] = {
        [NEW] = "_Znwm",
        [NEW_ARRAY] = "_Znam",
        [NEW_NOTHROW] = "_ZnwmRKSt9nothrow_t",
        [NEW_ARRAY_NOTHROW] = "_ZnamRKSt9nothrow_t",
        [NEW_ALIGNED] = "_ZnwmSt11align_val_t",
        [NEW_ARRAY_ALIGNED] = "_ZnamSt11align_val_t",
        [NEW_ALIGNED_NOTHROW] = "_ZnwmSt11align_val_tRKSt9nothrow_t",
        [NEW_ARRAY_ALIGNED_NOTHROW] = "_ZnamSt11align_val_tRKSt9nothrow_t",
        [DELETE] = "_ZdlPv",
        [DELETE_ARRAY] = "_ZdaPv",
        [DELETE_SIZED] = "_ZdlPvm",
        [DELETE_ARRAY_SIZED] = "_ZdaPvm",
        [DELETE_NOTHROW] = "_ZdlPvRKSt9nothrow_t",
        [DELETE_ARRAY_NOTHROW] = "_ZdaPvRKSt9nothrow_t",
        [DELETE_ALIGNED] = "_ZdlPvSt11align_val_t",
        [DELETE_ARRAY_ALIGNED] = "_ZdaPvSt11align_val_t",
        [DELETE_SIZED_ALIGNED] = "_ZdlPvmSt11align_val_t",
        [DELETE_ARRAY_SIZED_ALIGNED] = "_ZdaPvmSt11align_val_t",
        [DELETE_ALIGNED_NOTHROW] = "_ZdlPvSt11align_val_tRKSt9nothrow_t",
        [DELETE_ARRAY_ALIGNED_NOTHROW] = "_ZdaPvSt11align_val_tRKSt9nothrow_t",
};

/* The next definitions, looked up on first use (a C++ runtime may be dlopen'ed late). */
#define NOT_LOOKED_UP ((void *)1)
static _Atomic(void *) next_functions[CXX_FUNCTIONS] = {
        [0 ... CXX_FUNCTIONS - 1] = NOT_LOOKED_UP,
};

/* The next definition, NULL when there is none or while the real allocator is not known yet
   (inside libleak it must be: thread.h). A definition found implies the allocator is known, so
   the common case is one load. */
static void *next_function(enum cxx_function which)
{
    void *found = atomic_load_explicit(&next_functions[which], memory_order_acquire);
    if (found != NOT_LOOKED_UP)
        return found;
    if (!libleak_real_resolve())
        return NULL;
    libleak_enter(); /* dlsym allocates: not the program's allocation */
    found = libleak_real_next(mangled_names[which]);
    libleak_leave();
    atomic_store_explicit(&next_functions[which], found, memory_order_release);
    return found;
}

static void leave_if_entered(const int *entered)
{
    if (*entered)
        libleak_leave();
}

typedef void *(*plain_new)(size_t);
typedef void *(*nothrow_new)(size_t, const void *);
typedef void *(*aligned_new)(size_t, size_t);
typedef void *(*aligned_nothrow_new)(size_t, size_t, const void *);

/* What the next operator new returns, found "inside" libleak so its own malloc is not
   counted; NULL only from the nothrow forms (the others throw). */
static void *next_new(enum cxx_function which, void *function, size_t size, size_t alignment,
                      const void *nothrow)
{
    int entered __attribute__((cleanup(leave_if_entered))) = 0;
    libleak_enter();
    entered = 1;
    void *block;
    switch (which) {
    case NEW:
    case NEW_ARRAY: block = ((plain_new)function)(size); break;
    case NEW_NOTHROW:
    case NEW_ARRAY_NOTHROW: block = ((nothrow_new)function)(size, nothrow); break;
    case NEW_ALIGNED:
    case NEW_ARRAY_ALIGNED: block = ((aligned_new)function)(size, alignment); break;
    default: block = ((aligned_nothrow_new)function)(size, alignment, nothrow); break;
    }
    return block;
}

/* No C++ runtime after us: the malloc family (our own hooks, so the block is counted there). */
static void *new_from_malloc(size_t size, size_t alignment, bool may_fail)
{
    void *block = NULL;
    if (alignment) {
        if (posix_memalign(&block, alignment, size ? size : 1) != 0)
            block = NULL;
    } else {
        block = malloc(size ? size : 1);
    }
    if (!block && !may_fail)
        abort(); /* cannot throw std::bad_alloc without a C++ runtime */
    return block;
}

static void *cxx_new(enum cxx_function which, size_t size, size_t alignment, const void *nothrow)
{
    /* Before the real allocator is known, or with no C++ runtime after us, the malloc hooks do
       the work. */
    void *function = next_function(which);
    if (!function)
        return new_from_malloc(size, alignment, nothrow != NULL);
    void *block = next_new(which, function, size, alignment, nothrow);
    if (block && libleak_countdown_expires(size)) {
        int saved_errno = errno; /* kept here, as in hooks.c: sampling may change it */
        libleak_countdown_expired(block, size);
        errno = saved_errno;
    }
    return block;
}

typedef void (*plain_delete)(void *);
typedef void (*sized_delete)(void *, size_t);
typedef void (*aligned_delete)(void *, size_t);
typedef void (*sized_aligned_delete)(void *, size_t, size_t);
typedef void (*nothrow_delete)(void *, const void *);
typedef void (*aligned_nothrow_delete)(void *, size_t, const void *);

static void cxx_delete(enum cxx_function which, void *block, size_t size, size_t alignment,
                       const void *nothrow)
{
    if (!block)
        return;
    /* A block of the bootstrap buffer (new before the allocator was known) is never handed on. */
    bool bootstrap = libleak_is_bootstrap(block);
    void *function = bootstrap ? NULL : next_function(which);
    if (!function && !bootstrap && (which == DELETE_SIZED || which == DELETE_ARRAY_SIZED)) {
        which = which == DELETE_SIZED ? DELETE : DELETE_ARRAY; /* a runtime without sized delete */
        function = next_function(which);
    }
    if (!function) {
        free(block); /* our hook: forgets the block if it was tracked */
        return;
    }
    /* Forget it before the next delete releases it: afterwards another thread may get the
       same address back and sample it. The next delete may call free(): our free hook looks
       the block up again and finds nothing. */
    if (libleak_live_maybe_tracked(block)) {
        int saved_errno = errno; /* charging the free may map a stripe of counters */
        libleak_forget(block);
        errno = saved_errno;
    }
    libleak_enter();
    switch (which) {
    case DELETE:
    case DELETE_ARRAY: ((plain_delete)function)(block); break;
    case DELETE_SIZED:
    case DELETE_ARRAY_SIZED: ((sized_delete)function)(block, size); break;
    case DELETE_NOTHROW:
    case DELETE_ARRAY_NOTHROW: ((nothrow_delete)function)(block, nothrow); break;
    case DELETE_ALIGNED:
    case DELETE_ARRAY_ALIGNED: ((aligned_delete)function)(block, alignment); break;
    case DELETE_SIZED_ALIGNED:
    case DELETE_ARRAY_SIZED_ALIGNED: ((sized_aligned_delete)function)(block, size, alignment); break;
    default: ((aligned_nothrow_delete)function)(block, alignment, nothrow); break;
    }
    libleak_leave();
}

/* The mangled names of the Itanium C++ ABI (x86_64: size_t is unsigned long, "m";
   std::align_val_t is an enum of size_t, passed as one). */
EXPORT void *_Znwm(size_t size)
{
    return cxx_new(NEW, size, 0, NULL);
}
EXPORT void *_Znam(size_t size)
{
    return cxx_new(NEW_ARRAY, size, 0, NULL);
}
EXPORT void *_ZnwmRKSt9nothrow_t(size_t size, const void *nothrow)
{
    return cxx_new(NEW_NOTHROW, size, 0, nothrow);
}
EXPORT void *_ZnamRKSt9nothrow_t(size_t size, const void *nothrow)
{
    return cxx_new(NEW_ARRAY_NOTHROW, size, 0, nothrow);
}
EXPORT void *_ZnwmSt11align_val_t(size_t size, size_t alignment)
{
    return cxx_new(NEW_ALIGNED, size, alignment, NULL);
}
EXPORT void *_ZnamSt11align_val_t(size_t size, size_t alignment)
{
    return cxx_new(NEW_ARRAY_ALIGNED, size, alignment, NULL);
}
EXPORT void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t size, size_t alignment, const void *nothrow)
{
    return cxx_new(NEW_ALIGNED_NOTHROW, size, alignment, nothrow);
}
EXPORT void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t size, size_t alignment, const void *nothrow)
{
    return cxx_new(NEW_ARRAY_ALIGNED_NOTHROW, size, alignment, nothrow);
}

EXPORT void _ZdlPv(void *block)
{
    cxx_delete(DELETE, block, 0, 0, NULL);
}
EXPORT void _ZdaPv(void *block)
{
    cxx_delete(DELETE_ARRAY, block, 0, 0, NULL);
}
EXPORT void _ZdlPvm(void *block, size_t size)
{
    cxx_delete(DELETE_SIZED, block, size, 0, NULL);
}
EXPORT void _ZdaPvm(void *block, size_t size)
{
    cxx_delete(DELETE_ARRAY_SIZED, block, size, 0, NULL);
}
EXPORT void _ZdlPvRKSt9nothrow_t(void *block, const void *nothrow)
{
    cxx_delete(DELETE_NOTHROW, block, 0, 0, nothrow);
}
EXPORT void _ZdaPvRKSt9nothrow_t(void *block, const void *nothrow)
{
    cxx_delete(DELETE_ARRAY_NOTHROW, block, 0, 0, nothrow);
}
EXPORT void _ZdlPvSt11align_val_t(void *block, size_t alignment)
{
    cxx_delete(DELETE_ALIGNED, block, 0, alignment, NULL);
}
EXPORT void _ZdaPvSt11align_val_t(void *block, size_t alignment)
{
    cxx_delete(DELETE_ARRAY_ALIGNED, block, 0, alignment, NULL);
}
EXPORT void _ZdlPvmSt11align_val_t(void *block, size_t size, size_t alignment)
{
    cxx_delete(DELETE_SIZED_ALIGNED, block, size, alignment, NULL);
}
EXPORT void _ZdaPvmSt11align_val_t(void *block, size_t size, size_t alignment)
{
    cxx_delete(DELETE_ARRAY_SIZED_ALIGNED, block, size, alignment, NULL);
}
EXPORT void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *block, size_t alignment, const void *nothrow)
{
    cxx_delete(DELETE_ALIGNED_NOTHROW, block, 0, alignment, nothrow);
}
EXPORT void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *block, size_t alignment, const void *nothrow)
{
    cxx_delete(DELETE_ARRAY_ALIGNED_NOTHROW, block, 0, alignment, nothrow);
}
