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
#include <sys/mman.h>
#include <unistd.h>

#include "alloc/real.h"
#include "alloc/thread.h"
#include "core/export.h"
#include "core/log.h"

#if defined(__x86_64__)
#define RELOCATION_SLOT     R_X86_64_JUMP_SLOT
#define RELOCATION_DATA     R_X86_64_GLOB_DAT
#define RELOCATION_ABSOLUTE R_X86_64_64
#elif defined(__aarch64__)
#define RELOCATION_SLOT     R_AARCH64_JUMP_SLOT
#define RELOCATION_DATA     R_AARCH64_GLOB_DAT
#define RELOCATION_ABSOLUTE R_AARCH64_ABS64
#endif

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

/* A dynamic entry's address: glibc relocates them in place, but not in a read-only
   dynamic section (the vDSO's). */
static uintptr_t dynamic_address(const struct dl_phdr_info *info, ElfW(Addr) value)
{
    return value < info->dlpi_addr ? info->dlpi_addr + value : value;
}

/* True when `address` lies in one of the object's segments with these permissions. */
static bool in_segment(const struct dl_phdr_info *info, uintptr_t address, ElfW(Word) type, ElfW(Word) flags)
{
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + header->p_vaddr;
        if (header->p_type == type && (header->p_flags & flags) == flags && address - start < header->p_memsz)
            return true;
    }
    return false;
}

/* Stores `value` in the slot, through a writable window when the slot is read-only (RELRO). */
static void store_slot(const struct dl_phdr_info *info, uintptr_t *slot, uintptr_t value)
{
    if (!in_segment(info, (uintptr_t)slot, PT_GNU_RELRO, 0)) {
        if (in_segment(info, (uintptr_t)slot, PT_LOAD, PF_W))
            atomic_store_explicit((_Atomic uintptr_t *)slot, value, memory_order_relaxed);
        return;
    }
    uintptr_t page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    void *page = (void *)((uintptr_t)slot & ~(page_size - 1));
    size_t bytes = ((uintptr_t)slot + sizeof *slot - (uintptr_t)page + page_size - 1) & ~(page_size - 1);
    if (mprotect(page, bytes, PROT_READ | PROT_WRITE) != 0)
        return;
    atomic_store_explicit((_Atomic uintptr_t *)slot, value, memory_order_relaxed);
    mprotect(page, bytes, PROT_READ);
}

#ifdef RELOCATION_SLOT
static void redirect_relocations(const struct dl_phdr_info *info, const struct redirect *plan, const ElfW(Rela) *rela,
                                 size_t bytes, const ElfW(Sym) *symbols, const char *strings, bool new_object)
{
    for (size_t i = 0; i < bytes / sizeof *rela; i++) {
        uint32_t type = (uint32_t)ELF64_R_TYPE(rela[i].r_info), symbol = (uint32_t)ELF64_R_SYM(rela[i].r_info);
        if (symbol == 0 || (type != RELOCATION_SLOT && type != RELOCATION_DATA &&
                            (type != RELOCATION_ABSOLUTE || rela[i].r_addend != 0)))
            continue;
        const char *name = strings + symbols[symbol].st_name;
        size_t which = 0;
        while (which < NAMES && strcmp(name, names[which]) != 0)
            which++;
        if (which == NAMES || !plan->bypassed[which] || !plan->hooked[which] ||
            plan->bypassed[which] == plan->hooked[which])
            continue;
        uintptr_t *slot = (uintptr_t *)(info->dlpi_addr + rela[i].r_offset);
        uintptr_t value = atomic_load_explicit((_Atomic uintptr_t *)slot, memory_order_relaxed);
        /* A lazy slot of the new library still points into its own PLT. */
        bool unbound = type == RELOCATION_SLOT && new_object && in_segment(info, value, PT_LOAD, PF_X) &&
                       plan->lazy_target[which] == plan->bypassed[which];
        if (value == plan->bypassed[which] || unbound)
            store_slot(info, slot, plan->hooked[which]);
    }
}
#endif

static int redirect_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct redirect *plan = data;
    bool new_object = plan->index++ >= plan->first_new;
#ifdef RELOCATION_SLOT
    const ElfW(Dyn) *dynamic = NULL;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dynamic = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    if (!dynamic)
        return 0;
    const ElfW(Sym) *symbols = NULL;
    const char *strings = NULL;
    const ElfW(Rela) *rela = NULL, *plt = NULL;
    size_t rela_bytes = 0, plt_bytes = 0;
    bool plt_is_rela = true;
    for (; dynamic->d_tag != DT_NULL; dynamic++) {
        switch (dynamic->d_tag) {
        case DT_SYMTAB: symbols = (const ElfW(Sym) *)dynamic_address(info, dynamic->d_un.d_ptr); break;
        case DT_STRTAB: strings = (const char *)dynamic_address(info, dynamic->d_un.d_ptr); break;
        case DT_RELA: rela = (const ElfW(Rela) *)dynamic_address(info, dynamic->d_un.d_ptr); break;
        case DT_RELASZ: rela_bytes = dynamic->d_un.d_val; break;
        case DT_JMPREL: plt = (const ElfW(Rela) *)dynamic_address(info, dynamic->d_un.d_ptr); break;
        case DT_PLTRELSZ: plt_bytes = dynamic->d_un.d_val; break;
        case DT_PLTREL: plt_is_rela = dynamic->d_un.d_val == DT_RELA; break;
        }
    }
    if (!symbols || !strings)
        return 0;
    if (rela)
        redirect_relocations(info, plan, rela, rela_bytes, symbols, strings, new_object);
    if (plt && plt_is_rela)
        redirect_relocations(info, plan, plt, plt_bytes, symbols, strings, new_object);
#else
    (void)info, (void)new_object;
#endif
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
