/*
 * libunwind_setup — libunwind made fit for the allocation path, once, at load time.
 *
 * The allocation path may make no system call beyond those glibc's malloc makes (brk, mmap,
 * munmap, mprotect, madvise, futex: what a seccomp allow-list lets through) and must not be a
 * cancellation point. Out of the box, libunwind 1.6 makes three kinds of calls there:
 *
 *   - It validates the addresses it is unsure of with mincore, or by writing a byte of them into
 *     a pipe it opened at the lowest free descriptors. Our memory accessor answers instead, from
 *     memory known to be mapped: the thread's stack (thread_stack.c), the stack of ours it runs
 *     on and our own frames below the hook (unwind.c), and the loaded segments of modules
 *     (modules.c). Anything else is refused, and libunwind ends the stack there; the
 *     refusal is noted (libleak_libunwind_refused) so that the stack is counted as cut short.
 *     The pipe it opened when it started is closed again, so the program gets its numbers back.
 *   - It blocks every signal around each of its locks and around its dl_iterate_phdr
 *     (rt_sigprocmask, twice per frame it has not seen). Its call to sigprocmask goes through
 *     its own PLT: we point that slot at a function that skips the mask while the calling
 *     thread is inside libleak, and passes every other call on. The mask protected libunwind's
 *     locks from a signal handler that unwinds on the same thread; while a thread is inside
 *     libleak, its allocations are not sampled, so no handler of ours unwinds there.
 *   - No register-state cache: it takes a mutex for it even when asked to cache per thread.
 *
 * What is left inside libunwind is mmap (its memory pools) and futex (pthread_once, its
 * mutexes): calls glibc's malloc makes too.
 */
#include "alloc/libunwind_setup.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "alloc/modules.h"
#include "alloc/thread.h"

bool libleak_libunwind_refused(void)
{
    bool refused = libleak_thread.unwind_refused;
    libleak_thread.unwind_refused = false;
    return refused;
}

static bool within(uintptr_t address, size_t size, uintptr_t low, uintptr_t high)
{
    return address >= low && address < high && high - address >= size;
}

/* libunwind 1.6 marks the reads it wants validated in the low bit of `argument` (the rest is
   its ucontext pointer); reads it does not mark are of memory its unwind tables vouch for. */
static int access_memory(unw_addr_space_t space, unw_word_t address, unw_word_t *value, int write,
                         void *argument)
{
    (void)space;
    if (write) {
        *(unw_word_t *)address = *value;
        return 0;
    }
    struct libleak_thread *self = &libleak_thread;
    bool validate = (uintptr_t)argument & 1;
    bool on_stack = within(address, sizeof *value, self->stack_low, self->stack_high) ||
                    within(address, sizeof *value, self->own_stack_low, self->own_stack_high) ||
                    within(address, sizeof *value, self->own_frames_low, self->own_frames_high);
    if (validate && !on_stack && !libleak_modules_readable(address, sizeof *value)) {
        self->unwind_refused = true;
        return -UNW_EINVAL;
    }
    *value = *(const unw_word_t *)address;
    return 0;
}

/* ---- sigprocmask, skipped for our own calls --------------------------------------------- */

static int sigprocmask_outside_libleak(int how, const sigset_t *set, sigset_t *old)
{
    if (libleak_thread.inside) {
        if (old)
            sigemptyset(old); /* handed back to us alone, on the matching call */
        return 0;
    }
    return sigprocmask(how, set, old);
}

/* A pointer of the dynamic section: relocated in place by glibc's loader, or not. */
static uintptr_t dynamic_pointer(const struct link_map *map, ElfW(Addr) value)
{
    return value >= map->l_addr ? value : map->l_addr + value;
}

/* Points libunwind's PLT (or GOT) slot for sigprocmask at ours, unless it lies in memory the
   loader made read-only (RELRO): then libunwind keeps masking, and only this is lost. */
static void redirect_sigprocmask(void)
{
    struct dl_find_object found;
    if (_dl_find_object((void *)unw_get_accessors, &found) != 0)
        return;
    const struct link_map *map = found.dlfo_link_map;
    const ElfW(Ehdr) *elf = (const ElfW(Ehdr) *)found.dlfo_map_start;
    if (memcmp(elf->e_ident, ELFMAG, SELFMAG) != 0 || elf->e_phentsize != sizeof(ElfW(Phdr)))
        return;
    uintptr_t relro_start = 0, relro_end = 0;
    const ElfW(Phdr) *headers = (const ElfW(Phdr) *)((uintptr_t)elf + elf->e_phoff);
    for (int i = 0; i < elf->e_phnum; i++)
        if (headers[i].p_type == PT_GNU_RELRO) {
            relro_start = map->l_addr + headers[i].p_vaddr;
            relro_end = relro_start + headers[i].p_memsz;
        }
    const ElfW(Sym) *symbols = NULL;
    const char *names = NULL;
    const ElfW(Rela) *tables[2] = {NULL, NULL};
    size_t sizes[2] = {0, 0};
    for (const ElfW(Dyn) *entry = map->l_ld; entry->d_tag != DT_NULL; entry++) {
        switch (entry->d_tag) {
        case DT_SYMTAB: symbols = (const ElfW(Sym) *)dynamic_pointer(map, entry->d_un.d_ptr); break;
        case DT_STRTAB: names = (const char *)dynamic_pointer(map, entry->d_un.d_ptr); break;
        case DT_JMPREL: tables[0] = (const ElfW(Rela) *)dynamic_pointer(map, entry->d_un.d_ptr); break;
        case DT_PLTRELSZ: sizes[0] = entry->d_un.d_val; break;
        case DT_RELA: tables[1] = (const ElfW(Rela) *)dynamic_pointer(map, entry->d_un.d_ptr); break;
        case DT_RELASZ: sizes[1] = entry->d_un.d_val; break;
        }
    }
    if (!symbols || !names)
        return;
    for (int t = 0; t < 2; t++)
        for (size_t i = 0; tables[t] && i < sizes[t] / sizeof(ElfW(Rela)); i++) {
            const ElfW(Rela) *relocation = &tables[t][i];
            unsigned long type = ELF64_R_TYPE(relocation->r_info);
            if ((type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) ||
                strcmp(names + symbols[ELF64_R_SYM(relocation->r_info)].st_name, "sigprocmask") != 0)
                continue;
            uintptr_t slot = map->l_addr + relocation->r_offset;
            if (slot >= relro_start && slot < relro_end)
                continue;
            __atomic_store_n((void **)slot, (void *)sigprocmask_outside_libleak, __ATOMIC_RELEASE);
        }
}

/* ---- start ------------------------------------------------------------------------------ */

void libleak_libunwind_init(void)
{
    /* libunwind opens its validation pipe when it starts, at the two lowest free descriptors.
       We note those numbers, start it, and close them again if they are that pipe: with our
       accessor libunwind never uses it. */
    int lowest[2] = {open("/dev/null", O_RDONLY | O_CLOEXEC), open("/dev/null", O_RDONLY | O_CLOEXEC)};
    for (int i = 0; i < 2; i++)
        if (lowest[i] >= 0)
            close(lowest[i]);
    /* No register-state cache: this libunwind takes a mutex for it even when asked to cache per
       thread, and holds it across dl_iterate_phdr; a thread sampled inside the program's own
       dl_iterate_phdr callback (holding the loader's lock) then deadlocked with one unwinding
       elsewhere (tests/cases/lib_loader_callbacks.sh). */
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_NONE);
    unw_accessors_t *accessors = unw_get_accessors(unw_local_addr_space);
    if (accessors)
        accessors->access_mem = access_memory;
    struct stat read_end, write_end;
    if (lowest[0] >= 0 && lowest[1] >= 0 && fstat(lowest[0], &read_end) == 0 &&
        fstat(lowest[1], &write_end) == 0 && S_ISFIFO(read_end.st_mode) && S_ISFIFO(write_end.st_mode) &&
        read_end.st_ino == write_end.st_ino && accessors) {
        close(lowest[0]);
        close(lowest[1]);
    }
    redirect_sigprocmask();
}
