/*
 * modules — which loaded module holds a code address, and whether that module keeps frame
 * pointers, without ever waiting for the loader's lock.
 *
 * The frame-pointer walk (unwind.c) asks this for every return address it records, on the
 * allocation path, so the answer must be cheap and must never wait: a thread may be sampled
 * while another holds the loader's lock, and a fork child may inherit that lock held for good
 * (glibc resets dl_load_lock in the child, but not dl_load_write_lock, which dl_iterate_phdr
 * takes).
 *
 *   - Modules loaded before libleak started (the program and the libraries it was linked
 *     with) are never unloaded: they are read once, with dl_iterate_phdr, into a table sorted
 *     by address and searched without any lock.
 *   - Any other address is looked up with _dl_find_object (glibc 2.35, lock-free and
 *     async-signal-safe). What we learn about its module is cached under the module's link
 *     map, mapping and .eh_frame_hdr together, so a library dlclose'd and replaced by another
 *     at the same address is read afresh. Its program headers are read in place, with plain
 *     loads: the allocation path makes no system call (process_vm_readv was one), and a module
 *     that _dl_find_object still names has its headers mapped, unless another thread unloads
 *     it at that very moment, a race the reads of its .eh_frame (here and in libunwind) always
 *     had. In a fork child of a threaded parent, where a module may have been left half
 *     unmapped by a dlclose the fork interrupted, modules not seen before the fork are not
 *     read at all (their frames end the walk).
 *
 * Each module's loaded segments are kept, not only its code: libunwind's reads it asks to have
 * validated (unwind tables, code) are answered from them (libleak_modules_readable).
 *
 * Whether the chain can be followed from a frame is decided per function, from its unwind
 * table (eh_frame.c: is the function's CFA in %rbp at the return address?); here the answer is
 * cached per return address.
 */
#include "alloc/modules.h"

#include <elf.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/single_threaded.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <pthread.h>

#include "alloc/eh_frame.h"
#include "common/hash.h"
#include "common/sorted.h"
#include "os/memory_copy.h"

enum { MAX_SEGMENTS = 6, PERMANENT_SEGMENTS = 1024, CACHED_MODULES = 64 };

struct code_range {
    uintptr_t start, end;
    const uint8_t *eh_frame_header; /* the module's .eh_frame_hdr, NULL when it has none */
    bool executable;
};
_Static_assert(sizeof(uintptr_t) == sizeof(uint64_t), "common/sorted.h reads start as a uint64_t");

/* What one module's program headers say: its loaded segments, executable or not. */
struct module_facts {
    struct code_range code[MAX_SEGMENTS];
    int code_count;
};

/* Modules present at start, sorted by start; written once by the constructor. */
static struct code_range permanent[PERMANENT_SEGMENTS];
static int permanent_count;

/* Modules loaded later, as _dl_find_object names them. `published` is written last (release):
   a reader that sees it non-zero sees the rest. */
struct cached_module {
    _Atomic uintptr_t published; /* dlfo_map_start; 0 while the slot is being filled */
    uintptr_t map_end;
    void *link_map;
    void *eh_frame;
    uint64_t name_hash; /* of the path it was loaded from: a library loaded where another was,
                           with the same layout, may even get the same link map */
    struct module_facts facts;
};
static struct cached_module cached[CACHED_MODULES];
static _Atomic int cached_count;

static bool parent_had_threads;
bool libleak_loader_locked;

static void note_segment(uintptr_t bias, const ElfW(Phdr) * segment, struct module_facts *facts)
{
    if (segment->p_type == PT_GNU_EH_FRAME)
        for (int i = 0; i < MAX_SEGMENTS; i++)
            facts->code[i].eh_frame_header = (const uint8_t *)(bias + segment->p_vaddr);
    if (segment->p_type == PT_LOAD && (segment->p_flags & PF_R) && facts->code_count < MAX_SEGMENTS) {
        facts->code[facts->code_count].start = bias + segment->p_vaddr;
        facts->code[facts->code_count].end = bias + segment->p_vaddr + segment->p_memsz;
        facts->code[facts->code_count].executable = segment->p_flags & PF_X;
        facts->code_count++;
    }
}

static void read_facts(uintptr_t bias, const ElfW(Phdr) * headers, int count, struct module_facts *facts)
{
    memset(facts, 0, sizeof *facts);
    for (int i = 0; i < count; i++)
        note_segment(bias, &headers[i], facts);
}

/* For the module list of the dumper (libleak_modules_iterate), not the allocation path: copies
   memory that may have been unmapped (a module half unloaded when a fork child was made);
   process_vm_readv fails cleanly where a load would fault. Where the kernel refuses the call
   itself (a seccomp filter), a plain copy. */
static bool copy_memory(void *to, uintptr_t from, size_t size)
{
    switch (libleak_copy_memory(to, from, size)) {
    case LIBLEAK_COPY_DONE:
        return true;
    case LIBLEAK_COPY_REFUSED:
        memcpy(to, (const void *)from, size);
        return true;
    default:
        return false;
    }
}

static int add_permanent(struct dl_phdr_info *info, size_t size, void *unused)
{
    (void)size;
    (void)unused;
    struct module_facts facts;
    read_facts(info->dlpi_addr, info->dlpi_phdr, info->dlpi_phnum, &facts);
    for (int i = 0; i < facts.code_count && permanent_count < PERMANENT_SEGMENTS; i++) {
        int at = permanent_count++;
        while (at > 0 && permanent[at - 1].start > facts.code[i].start) {
            permanent[at] = permanent[at - 1];
            at--;
        }
        permanent[at] = facts.code[i];
    }
    return 0;
}

/* Where the program headers of a module loaded at map_start are (its ELF header is in the page
   the loader mapped first), and how many; 0 when that page holds no usable ELF header. Read
   with `copy` (the allocation path's plain one, or copy_memory). */
static int find_headers(uintptr_t map_start, uintptr_t map_end, uintptr_t *headers,
                        bool (*copy)(void *to, uintptr_t from, size_t size))
{
    ElfW(Ehdr) elf;
    if (map_end - map_start < sizeof elf || !copy(&elf, map_start, sizeof elf) ||
        memcmp(elf.e_ident, ELFMAG, SELFMAG) != 0 || elf.e_phentsize != sizeof(ElfW(Phdr)))
        return 0;
    *headers = map_start + elf.e_phoff;
    return elf.e_phnum;
}

static bool copy_in_place(void *to, uintptr_t from, size_t size)
{
    memcpy(to, (const void *)from, size);
    return true;
}

static uint64_t hash_name(const char *name)
{
    return libleak_hash_string(name ? name : "");
}

static const struct module_facts *loaded_module(uintptr_t address, struct module_facts *scratch)
{
    struct dl_find_object found;
    if (_dl_find_object((void *)address, &found) != 0)
        return NULL;
    uintptr_t map_start = (uintptr_t)found.dlfo_map_start;
    int count = atomic_load_explicit(&cached_count, memory_order_acquire);
    if (count > CACHED_MODULES)
        count = CACHED_MODULES;
    for (int i = 0; i < count; i++) {
        struct cached_module *module = &cached[i];
        if (atomic_load_explicit(&module->published, memory_order_acquire) == map_start &&
            module->map_end == (uintptr_t)found.dlfo_map_end && module->link_map == found.dlfo_link_map &&
            module->eh_frame == found.dlfo_eh_frame)
            return &module->facts;
    }
    if (libleak_loader_locked)
        return NULL; /* may be half unmapped: see the top of this file */
    uintptr_t headers;
    int headers_count = find_headers(map_start, (uintptr_t)found.dlfo_map_end, &headers, copy_in_place);
    if (!headers_count)
        return NULL;
    memset(scratch, 0, sizeof *scratch);
    for (int i = 0; i < headers_count; i++) {
        ElfW(Phdr) segment;
        memcpy(&segment, (const void *)(headers + (uintptr_t)i * sizeof segment), sizeof segment);
        note_segment(found.dlfo_link_map->l_addr, &segment, scratch);
    }
    int slot = atomic_fetch_add_explicit(&cached_count, 1, memory_order_relaxed);
    if (slot >= CACHED_MODULES)
        return scratch; /* table full: answered, not remembered */
    struct cached_module *module = &cached[slot];
    module->map_end = (uintptr_t)found.dlfo_map_end;
    module->link_map = found.dlfo_link_map;
    module->eh_frame = found.dlfo_eh_frame;
    module->name_hash = hash_name(found.dlfo_link_map->l_name);
    module->facts = *scratch;
    atomic_store_explicit(&module->published, map_start, memory_order_release);
    return &module->facts;
}

/* Verdicts per return address: the address in the low 62 bits, bit 63 "known", bit 62 "keeps a
   frame pointer". One word, so a racing reader sees an old verdict or a new one, never half. */
enum { VERDICTS = 4096 };
static _Atomic uint64_t verdicts[VERDICTS];
#define VERDICT_KNOWN         (1ULL << 63)
#define VERDICT_FRAME_POINTER (1ULL << 62)

static inline uint64_t verdict_slot(uintptr_t address)
{
    return ((uint64_t)address * 0x9e3779b97f4a7c15ULL) >> 52;
}

/* The segment of a module present at start that holds address, or -1. */
static int permanent_segment(uintptr_t address)
{
    int low = libleak_entries_up_to(permanent, permanent_count, sizeof permanent[0],
                                    offsetof(struct code_range, start), address);
    return low > 0 && address < permanent[low - 1].end ? low - 1 : -1;
}

/* The segment that holds address, of any loaded module, or NULL. */
static const struct code_range *find_segment(uintptr_t address, struct module_facts *scratch)
{
    int index = permanent_segment(address);
    if (index >= 0)
        return &permanent[index];
    const struct module_facts *facts = loaded_module(address, scratch);
    if (!facts)
        return NULL;
    for (int i = 0; i < facts->code_count; i++)
        if (address >= facts->code[i].start && address < facts->code[i].end)
            return &facts->code[i];
    return NULL;
}

bool libleak_modules_readable(uintptr_t address, size_t size)
{
    struct module_facts scratch;
    const struct code_range *segment = find_segment(address, &scratch);
    return segment && size <= segment->end - address;
}

void libleak_modules_note(uintptr_t address)
{
    bool frame_pointers;
    libleak_modules_code(address, &frame_pointers); /* remembers what it looks up */
}

int libleak_modules_retired(uintptr_t *starts, uintptr_t *ends, int max)
{
    int count = atomic_load_explicit(&cached_count, memory_order_acquire), retired = 0;
    if (count > CACHED_MODULES)
        count = CACHED_MODULES;
    for (int i = 0; i < count && retired < max; i++) {
        const struct cached_module *module = &cached[i];
        uintptr_t start = atomic_load_explicit(&module->published, memory_order_acquire);
        if (!start)
            continue;
        struct dl_find_object found;
        if (_dl_find_object((void *)start, &found) == 0 && (uintptr_t)found.dlfo_map_start == start &&
            (uintptr_t)found.dlfo_map_end == module->map_end && found.dlfo_link_map == module->link_map &&
            found.dlfo_eh_frame == module->eh_frame &&
            hash_name(found.dlfo_link_map->l_name) == module->name_hash)
            continue; /* still the module the stacks saw */
        starts[retired] = start;
        ends[retired] = module->map_end;
        retired++;
    }
    return retired;
}

bool libleak_modules_code(uintptr_t address, bool *frame_pointers)
{
    /* Return addresses repeat: most answers come from the verdicts, which only ever hold
       addresses of modules that stay loaded. */
    uint64_t verdict = atomic_load_explicit(&verdicts[verdict_slot(address)], memory_order_relaxed);
    if ((verdict & ~(VERDICT_KNOWN | VERDICT_FRAME_POINTER)) == address && (verdict & VERDICT_KNOWN)) {
        *frame_pointers = verdict & VERDICT_FRAME_POINTER;
        return true;
    }
    int index = permanent_segment(address);
    if (index >= 0) {
        if (!permanent[index].executable)
            return false;
        bool keeps = libleak_eh_frame_keeps_frame_pointer(permanent[index].eh_frame_header, address);
        if (address < (1ULL << 62))
            atomic_store_explicit(&verdicts[verdict_slot(address)],
                                  address | VERDICT_KNOWN | (keeps ? VERDICT_FRAME_POINTER : 0),
                                  memory_order_relaxed);
        *frame_pointers = keeps;
        return true;
    }
    struct module_facts scratch;
    const struct code_range *segment = find_segment(address, &scratch);
    if (!segment || !segment->executable)
        return false;
    /* Not through the cache: a library loaded later may be replaced at the same address. */
    *frame_pointers = libleak_eh_frame_keeps_frame_pointer(segment->eh_frame_header, address);
    return true;
}

/* Another thread may hold the loader's lock at the moment of fork: say so to the child. */
static void before_fork(void)
{
    parent_had_threads = !__libc_single_threaded;
}

static void in_child(void)
{
    libleak_loader_locked = libleak_loader_locked || parent_had_threads;
}

void libleak_modules_init(void)
{
    dl_iterate_phdr(add_permanent, NULL);
    pthread_atfork(before_fork, NULL, in_child);
}

/* Program headers copied for the callback, and whether the module's segments are all still
   mapped (one being unloaded at fork is left half unmapped in the child). */
static ElfW(Phdr) copied_headers[64];

static int copy_module_headers(uintptr_t bias, uintptr_t headers, int count)
{
    if (count <= 0 || count > (int)(sizeof copied_headers / sizeof copied_headers[0]) ||
        !copy_memory(copied_headers, headers, (size_t)count * sizeof copied_headers[0]))
        return 0;
    for (int i = 0; i < count; i++) {
        const ElfW(Phdr) *segment = &copied_headers[i];
        char byte;
        if (segment->p_type == PT_LOAD && segment->p_memsz > 0 &&
            (!copy_memory(&byte, bias + segment->p_vaddr, 1) ||
             !copy_memory(&byte, bias + segment->p_vaddr + segment->p_memsz - 1, 1)))
            return 0;
    }
    return count;
}

/* The walk of r_debug's list in a child whose loader lock may be held: nothing else runs in the
   child, so the list is as the fork left it, and a module in the middle of being loaded or
   unloaded is left out. Program headers come from the auxiliary vector for the program, and
   from the ELF header that _dl_find_object (or the auxiliary vector, for the vDSO) points at
   for the others. */
static int iterate_without_lock(int (*callback)(struct dl_phdr_info *, size_t, void *), void *data)
{
    uintptr_t vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
    int result = 0;
    for (struct link_map *map = _r_debug.r_map; map && result == 0; map = map->l_next) {
        uintptr_t headers = 0;
        int count = 0;
        struct dl_find_object found;
        if (map == _r_debug.r_map) {
            headers = (uintptr_t)getauxval(AT_PHDR);
            count = (int)getauxval(AT_PHNUM);
        } else if (vdso && (uintptr_t)map->l_ld >= vdso && (uintptr_t)map->l_ld - vdso < 65536) {
            count = find_headers(vdso, vdso + 65536, &headers, copy_memory);
        } else if (map->l_ld && _dl_find_object(map->l_ld, &found) == 0) {
            count = find_headers((uintptr_t)found.dlfo_map_start, (uintptr_t)found.dlfo_map_end, &headers,
                                 copy_memory);
        }
        count = copy_module_headers(map->l_addr, headers, count);
        if (!count)
            continue;
        struct dl_phdr_info info;
        memset(&info, 0, sizeof info);
        info.dlpi_addr = map->l_addr;
        info.dlpi_name = map->l_name ? map->l_name : "";
        info.dlpi_phdr = copied_headers;
        info.dlpi_phnum = (ElfW(Half))count;
        result = callback(&info, offsetof(struct dl_phdr_info, dlpi_adds), data);
    }
    return result;
}

int libleak_modules_iterate(int (*callback)(struct dl_phdr_info *, size_t, void *), void *data)
{
    if (libleak_loader_locked)
        return iterate_without_lock(callback, data);
    return dl_iterate_phdr(callback, data);
}
