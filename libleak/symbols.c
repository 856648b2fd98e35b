/*
 * symbols — mappings, build IDs, function names, files and lines for the profile.
 *
 * Two questions are asked of this file, at very different rates:
 *
 *   - "which mapping holds this pc?" for every frame of every stack of a dump (millions of
 *     times). The module list is read once with dl_iterate_phdr into an array of executable
 *     segments sorted by address, so the answer is a binary search with no lock, no syscall
 *     and no allocation.
 *   - "what function, file and line is this pc?" once per distinct pc. elfutils' libdwfl
 *     opens the files (separate debug files by build ID included); names come from the
 *     symbol tables, so programs built without -g still get them, and lines and inlined
 *     frames from DWARF. Two of libdw's lookups cost tens of microseconds a pc on a library
 *     like libc (a linear scan of the symbol table, a walk of the whole compile unit), so we
 *     keep a sorted symbol table per module and walk only the function that holds the pc.
 *     The answers go into a hash map keyed by pc: a pc is symbolized once between
 *     module-list changes.
 *
 * The loader's dlpi_adds/dlpi_subs counters tell when the module list changed; only then are
 * the mappings rebuilt and the per-pc answers dropped. The Dwfl session survives such a change
 * (only new modules are opened, see report_objects), because opening a module's DWARF is the
 * expensive part and most modules stay loaded.
 *
 * Every string handed out is copied into a string table we own, so its lifetime is ours to
 * promise (until the next refresh that changes the module list) whatever libdw does inside.
 *
 * Only the dumper thread calls this file (it allocates freely and takes the loader's lock), so
 * there is no locking here.
 */
#include "symbols.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elf.h>
#include <elfutils/libdwfl.h>
#include <errno.h> /* program_invocation_name */
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "descriptors.h"
#include "modules.h"

typedef char *(*demangler_function)(const char *, char *, size_t *, int *);

/* One loaded object, as dl_iterate_phdr reports it. Its executable segments become mappings. */
struct object {
    uint64_t bias; /* dlpi_addr: what the loader added to the file's vaddrs */
    const char *path;
    const char *file;    /* what libdwfl opens: path, or /proc/self/exe for the main
	                               program, the very file that runs even if path changed */
    bool is_vdso;        /* no file to read: mapped but never symbolized */
    Dwfl_Module *module; /* NULL until reported to libdwfl, or when that failed */
};

/* One executable segment: the mapping handed out, and the object it belongs to. */
struct segment {
    struct libleak_mapping mapping;
    int object;
};

/* An entry of the address index: mapping index in [start, limit). */
struct range {
    uint64_t start, limit;
    int mapping;
};

/* What one pc resolved to; lines point into the string table. */
struct symbolized {
    uint64_t pc; /* 0 marks an empty slot (pc 0 is never symbolized) */
    int count;
    struct libleak_line *lines;
};

static struct {
    bool current;                  /* the module list below is the one adds/subs describe */
    unsigned long long adds, subs; /* the loader's dlpi_adds/dlpi_subs when it was read */

    struct object *objects;
    int object_count;
    struct segment *segments; /* index 0 is the main program's first */
    int segment_count;
    struct range *ranges; /* sorted by start */
    int last_range;       /* stacks repeat modules: try the last hit first */
    /* Where stacks saw a module that has been unloaded or replaced since: frames there are
       left unnamed rather than named after whatever is mapped there now. */
    uintptr_t retired_starts[64], retired_ends[64];
    int retired_count;

    Dwfl *dwfl;
    bool dwfl_current; /* objects have been reported since the last change */

    struct symbolized *cache; /* open addressing, power-of-two capacity */
    size_t cache_capacity, cache_used;

    char **strings; /* interned strings, open addressing */
    size_t strings_capacity, strings_used;

    demangler_function demangle;
} symbols;

/* ---- owned strings ---------------------------------------------------------------------- */

static uint64_t hash_bytes(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a: strings here are short */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint64_t hash_pc(uint64_t pc)
{
    pc ^= pc >> 33;
    pc *= 0xff51afd7ed558ccdull;
    pc ^= pc >> 33;
    return pc;
}

static bool strings_grow(void)
{
    size_t capacity = symbols.strings_capacity ? symbols.strings_capacity * 2 : 1024;
    char **table = calloc(capacity, sizeof *table);
    if (!table)
        return false;
    for (size_t i = 0; i < symbols.strings_capacity; i++) {
        char *s = symbols.strings[i];
        if (!s)
            continue;
        size_t at = hash_bytes(s) & (capacity - 1);
        while (table[at])
            at = (at + 1) & (capacity - 1);
        table[at] = s;
    }
    free(symbols.strings);
    symbols.strings = table;
    symbols.strings_capacity = capacity;
    return true;
}

/* Returns our own copy of s (one per distinct string), or NULL for NULL or no memory. */
static const char *intern(const char *s)
{
    if (!s)
        return NULL;
    if (2 * (symbols.strings_used + 1) > symbols.strings_capacity && !strings_grow())
        return NULL;
    size_t mask = symbols.strings_capacity - 1;
    size_t at = hash_bytes(s) & mask;
    for (; symbols.strings[at]; at = (at + 1) & mask)
        if (strcmp(symbols.strings[at], s) == 0)
            return symbols.strings[at];
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    symbols.strings[at] = copy;
    symbols.strings_used++;
    return copy;
}

/* ---- the per-pc cache ------------------------------------------------------------------- */

static struct symbolized *cache_slot(struct symbolized *table, size_t capacity, uint64_t pc)
{
    size_t at = hash_pc(pc) & (capacity - 1);
    while (table[at].pc && table[at].pc != pc)
        at = (at + 1) & (capacity - 1);
    return &table[at];
}

static bool cache_grow(void)
{
    size_t capacity = symbols.cache_capacity ? symbols.cache_capacity * 2 : 4096;
    struct symbolized *table = calloc(capacity, sizeof *table);
    if (!table)
        return false;
    for (size_t i = 0; i < symbols.cache_capacity; i++)
        if (symbols.cache[i].pc)
            *cache_slot(table, capacity, symbols.cache[i].pc) = symbols.cache[i];
    free(symbols.cache);
    symbols.cache = table;
    symbols.cache_capacity = capacity;
    return true;
}

/* Drops everything whose lifetime ends when the module list changes. */
static void forget_answers(void)
{
    for (size_t i = 0; i < symbols.cache_capacity; i++)
        free(symbols.cache[i].lines);
    free(symbols.cache);
    symbols.cache = NULL;
    symbols.cache_capacity = symbols.cache_used = 0;

    for (size_t i = 0; i < symbols.strings_capacity; i++)
        free(symbols.strings[i]);
    free(symbols.strings);
    symbols.strings = NULL;
    symbols.strings_capacity = symbols.strings_used = 0;

    free(symbols.objects);
    free(symbols.segments);
    free(symbols.ranges);
    symbols.objects = NULL;
    symbols.segments = NULL;
    symbols.ranges = NULL;
    symbols.object_count = symbols.segment_count = 0;
    symbols.last_range = 0;
    symbols.dwfl_current = false;
}

/* ---- reading the module list ------------------------------------------------------------ */

/* counters[0] = dlpi_adds, counters[1] = dlpi_subs. Returns 1 when the loader has them. */
static int read_counters(struct dl_phdr_info *info, size_t size, void *data)
{
    unsigned long long *counters = data;
    if (size < offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs)
        return -1;
    counters[0] = info->dlpi_adds;
    counters[1] = info->dlpi_subs;
    return 1; /* every object carries the same counters: the first one is enough */
}

/* True when [vaddr, vaddr + size) of the object's file lies in the file-backed part of a
   PT_LOAD segment, so reading it (at dlpi_addr + vaddr) cannot fault. */
static bool is_loaded(const struct dl_phdr_info *info, ElfW(Addr) vaddr, ElfW(Xword) size)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type == PT_LOAD && vaddr >= p->p_vaddr && size <= p->p_filesz &&
            vaddr - p->p_vaddr <= p->p_filesz - size)
            return true;
    }
    return false;
}

/* The GNU build ID from the object's PT_NOTE segments in memory, as lowercase hex. */
static const char *read_build_id(const struct dl_phdr_info *info)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type != PT_NOTE || !is_loaded(info, p->p_vaddr, p->p_memsz))
            continue;
        /* Notes are 4-aligned, except in segments that say 8 (.note.gnu.property). */
        size_t align = p->p_align == 8 ? 8 : 4;
        const unsigned char *note = (const unsigned char *)(info->dlpi_addr + p->p_vaddr);
        size_t left = p->p_memsz;
        while (left >= sizeof(ElfW(Nhdr))) {
            const ElfW(Nhdr) *header = (const ElfW(Nhdr) *)note;
            size_t name_size = (header->n_namesz + align - 1) & ~(align - 1);
            size_t desc_size = (header->n_descsz + align - 1) & ~(align - 1);
            size_t total = sizeof *header + name_size + desc_size;
            if (name_size > left || desc_size > left || total > left)
                break;
            const char *name = (const char *)(header + 1);
            if (header->n_type == NT_GNU_BUILD_ID && header->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
                header->n_descsz > 0) {
                const unsigned char *id = (const unsigned char *)name + name_size;
                char hex[2 * 64 + 1];
                size_t n = header->n_descsz < 64 ? header->n_descsz : 64;
                for (size_t k = 0; k < n; k++)
                    snprintf(hex + 2 * k, 3, "%02x", id[k]);
                hex[2 * n] = '\0';
                return intern(hex);
            }
            note += total;
            left -= total;
        }
    }
    return intern("");
}

/* True when the program was started as "ld.so ./prog": /proc/self/exe is then the program's
   own interpreter (PT_INTERP), and argv[0] names the program. */
static bool started_by_interpreter(const struct dl_phdr_info *info)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type != PT_INTERP || p->p_filesz == 0 || !is_loaded(info, p->p_vaddr, p->p_filesz))
            continue;
        const char *interpreter = (const char *)(info->dlpi_addr + p->p_vaddr);
        struct stat a, b;
        return interpreter[p->p_filesz - 1] == '\0' && stat(interpreter, &a) == 0 &&
               stat("/proc/self/exe", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    }
    return false;
}

/* The path pprof should look for: absolute; for the main program (which the loader leaves
   unnamed) the target of /proc/self/exe. *running_file says the main program can be opened
   as /proc/self/exe, the very file that runs even if its path was replaced since. */
static const char *object_path(const struct dl_phdr_info *info, bool is_main, bool is_vdso,
                               bool *running_file)
{
    char buffer[PATH_MAX];
    const char *name = info->dlpi_name;
    *running_file = false;
    if (is_vdso)
        return intern("[vdso]"); /* what /proc/self/maps says; pprof leaves it alone */
    if (is_main && name[0] == '\0') {
        if (started_by_interpreter(info)) {
            name = program_invocation_name;
        } else {
            ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
            if (n > 0) {
                buffer[n] = '\0';
                *running_file = true;
                return intern(buffer);
            }
        }
    }
    if (name[0] != '/' && realpath(name, buffer))
        return intern(buffer);
    return intern(name);
}

static bool append(void **array, int count, int *capacity, size_t size)
{
    if (count < *capacity)
        return true;
    int grown = *capacity ? *capacity * 2 : 32;
    void *bigger = realloc(*array, (size_t)grown * size);
    if (!bigger)
        return false;
    *array = bigger;
    *capacity = grown;
    return true;
}

struct collect {
    int object_capacity, segment_capacity;
    bool have_counters;
    unsigned long long counters[2]; /* dlpi_adds, dlpi_subs */
    bool failed;
};

static int collect_object(struct dl_phdr_info *info, size_t size, void *data)
{
    struct collect *c = data;
    bool is_main = symbols.object_count == 0;
    if (is_main) {
        /* Taken in the same walk as the list, under the same loader lock: they match. */
        c->have_counters = read_counters(info, size, c->counters) == 1;
    }
    uintptr_t vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
    bool is_vdso = vdso && vdso >= info->dlpi_addr && is_loaded(info, vdso - info->dlpi_addr, 1);
    if (!is_main && !is_vdso && info->dlpi_name[0] == '\0')
        return 0; /* not a file we could name */

    if (!append((void **)&symbols.objects, symbols.object_count, &c->object_capacity,
                sizeof *symbols.objects))
        goto fail;
    struct object *object = &symbols.objects[symbols.object_count];
    bool running_file;
    *object = (struct object){
            .bias = info->dlpi_addr,
            .path = object_path(info, is_main, is_vdso, &running_file),
            .is_vdso = is_vdso,
    };
    object->file = running_file ? "/proc/self/exe" : object->path;
    const char *build_id = read_build_id(info);
    if (!object->path || !build_id)
        goto fail;

    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type != PT_LOAD || !(p->p_flags & PF_X))
            continue;
        if (!append((void **)&symbols.segments, symbols.segment_count, &c->segment_capacity,
                    sizeof *symbols.segments))
            goto fail;
        /* Rounded like the kernel maps it, so that pc - start + file_offset is the file
		   offset, as pprof computes it from /proc/self/maps-style mappings. */
        uint64_t address = info->dlpi_addr + p->p_vaddr;
        uint64_t start = address & ~(page - 1);
        uint64_t limit = (address + p->p_memsz + page - 1) & ~(page - 1);
        symbols.segments[symbols.segment_count++] = (struct segment){
                .mapping =
                        {
                                .start = start,
                                .limit = limit,
                                .file_offset = p->p_offset - (address - start),
                                .path = object->path,
                                .build_id = build_id,
                        },
                .object = symbols.object_count,
        };
    }
    symbols.object_count++;
    return 0;
fail:
    c->failed = true;
    return 1;
}

static int compare_ranges(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static bool build_index(void)
{
    symbols.ranges = malloc((size_t)symbols.segment_count * sizeof *symbols.ranges);
    if (!symbols.ranges)
        return false;
    for (int i = 0; i < symbols.segment_count; i++)
        symbols.ranges[i] =
                (struct range){symbols.segments[i].mapping.start, symbols.segments[i].mapping.limit, i};
    qsort(symbols.ranges, (size_t)symbols.segment_count, sizeof *symbols.ranges, compare_ranges);
    return true;
}

/* dlsym takes the loader's lock: called by the dumper before it takes the dump lock, so that no
   lock of ours is held while it waits for the loader (dump.c). */
static _Atomic(demangler_function) demangler;

void libleak_symbols_find_demangler(void)
{
    demangler_function found = (demangler_function)dlsym(RTLD_DEFAULT, "__cxa_demangle");
    atomic_store_explicit(&demangler, found, memory_order_relaxed);
}

int libleak_symbols_refresh(void)
{
    unsigned long long counters[2] = {0, 0};
    bool have_counters = libleak_modules_iterate(read_counters, counters) == 1;
    if (symbols.current && have_counters && counters[0] == symbols.adds && counters[1] == symbols.subs)
        return 0;

    forget_answers();
    struct collect c = {0};
    libleak_modules_iterate(collect_object, &c);
    if (c.failed || symbols.segment_count == 0 || !build_index()) {
        forget_answers();
        symbols.current = false;
        return -1;
    }
    symbols.retired_count = libleak_modules_retired(symbols.retired_starts, symbols.retired_ends, 64);
    /* Without the counters (a very old loader) every refresh re-reads: correct, only slower. */
    symbols.current = c.have_counters;
    symbols.adds = c.counters[0];
    symbols.subs = c.counters[1];
    symbols.demangle = atomic_load_explicit(&demangler, memory_order_relaxed);
    return 0;
}

int libleak_symbols_mapping_count(void)
{
    return symbols.segment_count;
}

struct libleak_mapping *libleak_symbols_mapping(int index)
{
    if (index < 0 || index >= symbols.segment_count)
        return NULL;
    return &symbols.segments[index].mapping;
}

/* The number of entries, in an array sorted by a uint64_t start at key_offset, that start at
   or before key: the last of them is at the result minus one. Serves the mappings, the
   symbols and the compile units alike. */
static int entries_up_to(const void *entries, int count, size_t size, size_t key_offset, uint64_t key)
{
    int low = 0, high = count;
    while (low < high) {
        int middle = low + (high - low) / 2;
        uint64_t start;
        memcpy(&start, (const char *)entries + (size_t)middle * size + key_offset, sizeof start);
        if (start <= key)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

static int find_mapping(uint64_t pc)
{
    for (int i = 0; i < symbols.retired_count; i++)
        if (pc >= symbols.retired_starts[i] && pc < symbols.retired_ends[i])
            return -1;
    const struct range *r = &symbols.ranges[symbols.last_range];
    if (pc >= r->start && pc < r->limit)
        return r->mapping;
    int low = entries_up_to(symbols.ranges, symbols.segment_count, sizeof symbols.ranges[0],
                            offsetof(struct range, start), pc);
    if (low == 0 || pc >= symbols.ranges[low - 1].limit)
        return -1;
    symbols.last_range = low - 1;
    return symbols.ranges[low - 1].mapping;
}

/* ---- symbolization ---------------------------------------------------------------------- */

/* Separate debug files are found by build ID in libdwfl's default places (/usr/lib/debug/
   .build-id/xx/yyyy.debug). Not dwfl_standard_find_debuginfo: in libdw 0.188, when a module
   has no local debug file, it dlopens libdebuginfod, which loads libcurl, gnutls and some
   thirty libraries into the profiled program and may go to the network in the middle of a
   dump, whatever DEBUGINFOD_URLS says. The price: .gnu_debuglink by name is not followed. */
static int find_debuginfo(Dwfl_Module *module, void **userdata, const char *name, Dwarf_Addr base,
                          const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
                          char **debuginfo_file_name)
{
    return libleak_fd_high(dwfl_build_id_find_debuginfo(module, userdata, name, base, file_name,
                                                        debuglink_file, debuglink_crc, debuginfo_file_name));
}

static char *debuginfo_path; /* NULL: libdwfl's default search path */
static const Dwfl_Callbacks dwfl_callbacks = {
        .find_elf = dwfl_build_id_find_elf,
        .find_debuginfo = find_debuginfo,
        .debuginfo_path = &debuginfo_path,
};

/* What we index per module, in the module's libdwfl userdata slot so that it lives as long
   as the module; each part is built on first use. */
struct module_data {
    struct symbol_table *symbols;
    struct unit_table *units;
};

/* The module's function symbols sorted by address. dwfl_module_addrinfo scans the whole
   symbol table on every call (about 70 us per pc in libc with its debug file); this is a
   binary search. */
struct function_symbol {
    uint64_t start, end; /* absolute; end == start for a symbol without a size */
    const char *name;    /* in libdwfl's string data; interned when handed out */
    int binding_rank;    /* 2 global, 1 weak, 0 local */
};

struct symbol_table {
    int count;
    struct function_symbol entries[];
};

static int compare_symbols(const void *a, const void *b)
{
    const struct function_symbol *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    /* At one address (__getpid global, getpid weak) the one kept sorts last: global over
	   weak over local, as dwfl_module_addrinfo chooses. */
    return x->binding_rank - y->binding_rank;
}

/* The compile units' address ranges sorted by address, for modules without
   .debug_aranges (clang emits none), where libdw 0.188 finds no unit for any pc. */
struct unit_range {
    Dwarf_Addr low, high; /* in the DWARF's own addresses (pc - bias) */
    Dwarf_Die *unit;      /* libdwfl's, valid as long as the module */
};

struct unit_table {
    Dwarf_Addr bias;
    int count;
    struct unit_range entries[];
};

static struct module_data *module_data(Dwfl_Module *module)
{
    void **userdata = NULL;
    dwfl_module_info(module, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
    if (userdata && !*userdata)
        *userdata = calloc(1, sizeof(struct module_data));
    return userdata ? *userdata : NULL;
}

static void free_module_data(void **userdata)
{
    struct module_data *data = *userdata;
    if (data) {
        free(data->symbols);
        free(data->units);
        free(data);
    }
    *userdata = NULL;
}

static struct symbol_table *read_symbols(Dwfl_Module *module)
{
    int total = dwfl_module_getsymtab(module);
    struct symbol_table *table =
            malloc(sizeof *table + (size_t)(total > 0 ? total : 0) * sizeof table->entries[0]);
    if (!table)
        return NULL;
    table->count = 0;
    for (int i = 1; i < total; i++) {
        GElf_Sym symbol;
        GElf_Addr address;
        GElf_Word section;
        const char *name = dwfl_module_getsym_info(module, i, &symbol, &address, &section, NULL, NULL);
        int type = GELF_ST_TYPE(symbol.st_info);
        if (!name || !name[0] || (type != STT_FUNC && type != STT_GNU_IFUNC) || section == SHN_UNDEF ||
            section == (GElf_Word)-1)
            continue;
        table->entries[table->count++] = (struct function_symbol){
                .start = address,
                .end = address + symbol.st_size,
                .name = name,
                .binding_rank = GELF_ST_BIND(symbol.st_info) == STB_GLOBAL ? 2
                                : GELF_ST_BIND(symbol.st_info) == STB_WEAK ? 1
                                                                           : 0,
        };
    }
    qsort(table->entries, (size_t)table->count, sizeof table->entries[0], compare_symbols);
    return table;
}

static int compare_units(const void *a, const void *b)
{
    const struct unit_range *x = a, *y = b;
    return x->low < y->low ? -1 : x->low > y->low;
}

static struct unit_table *read_units(Dwfl_Module *module)
{
    int capacity = 64;
    struct unit_table *table = malloc(sizeof *table + (size_t)capacity * sizeof table->entries[0]);
    if (!table)
        return NULL;
    table->bias = 0;
    table->count = 0;
    Dwarf_Die *unit = NULL;
    while ((unit = dwfl_module_nextcu(module, unit, &table->bias))) {
        Dwarf_Addr base, low, high;
        for (ptrdiff_t offset = 0; (offset = dwarf_ranges(unit, offset, &base, &low, &high)) > 0;) {
            if (table->count == capacity) {
                capacity *= 2;
                struct unit_table *bigger =
                        realloc(table, sizeof *table + (size_t)capacity * sizeof table->entries[0]);
                if (!bigger) {
                    free(table);
                    return NULL;
                }
                table = bigger;
            }
            table->entries[table->count++] = (struct unit_range){low, high, unit};
        }
    }
    qsort(table->entries, (size_t)table->count, sizeof table->entries[0], compare_units);
    return table;
}

/* The function symbol containing pc: the last one starting at or before it that covers it,
   or, for a symbol without a size (hand-written assembly), the last one before it. */
static const char *symbol_name(Dwfl_Module *module, uint64_t pc)
{
    struct module_data *data = module_data(module);
    if (data && !data->symbols)
        data->symbols = read_symbols(module);
    struct symbol_table *table = data ? data->symbols : NULL;
    if (!table)
        return NULL;
    int low = entries_up_to(table->entries, table->count, sizeof table->entries[0],
                            offsetof(struct function_symbol, start), pc);
    /* Look back a little for an enclosing symbol past a nested one (rare). */
    for (int i = low - 1; i >= 0 && i >= low - 8; i--) {
        const struct function_symbol *f = &table->entries[i];
        if (pc < f->end || (f->end == f->start && i == low - 1))
            return f->name;
    }
    return NULL;
}

static int free_each_module(Dwfl_Module *module, void **userdata, const char *name, Dwarf_Addr start,
                            void *arg)
{
    (void)module, (void)name, (void)start, (void)arg;
    free_module_data(userdata);
    return DWARF_CB_OK;
}

/* dwfl_report_end's word that a module is gone (its library was unloaded). The second
   argument is declared void * but libdwfl 0.188 passes the slot's address: ask for the slot
   through the documented call instead. */
static int forget_module(Dwfl_Module *module, void *unused, const char *name, Dwarf_Addr start, void *arg)
{
    (void)unused, (void)name, (void)start, (void)arg;
    void **userdata = NULL;
    dwfl_module_info(module, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
    if (userdata)
        free_module_data(userdata);
    return 0; /* let it go */
}

static void end_dwfl(void)
{
    if (!symbols.dwfl)
        return;
    dwfl_getmodules(symbols.dwfl, free_each_module, NULL, 0);
    dwfl_end(symbols.dwfl);
    symbols.dwfl = NULL;
}

/* The module libdwfl already has for object, if it is the same file at the same place. */
static Dwfl_Module *known_module(const struct object *object, uint64_t address)
{
    Dwfl_Module *module = dwfl_addrmodule(symbols.dwfl, address);
    const char *name = module ? dwfl_module_info(module, NULL, NULL, NULL, NULL, NULL, NULL, NULL) : NULL;
    return name && strcmp(name, object->path) == 0 ? module : NULL;
}

/* Tells libdwfl about every object at the address the loader put it. Modules libdwfl has
   already opened (with their DWARF, the expensive part) are kept by reporting them again with
   dwfl_report_module and their own address range; only new objects are opened. (Reporting a
   known module again with dwfl_report_elf fails in libdwfl 0.188: it opens a new descriptor
   and calls that an overlap.) dwfl_report_end drops the modules not reported again. */
static void report_objects(void)
{
    if (!symbols.dwfl) {
        symbols.dwfl = dwfl_begin(&dwfl_callbacks);
        if (!symbols.dwfl)
            return;
    }
    /* First find the known modules, while libdwfl's address index is still there. */
    int first_segment[symbols.object_count ? symbols.object_count : 1];
    for (int i = 0; i < symbols.object_count; i++)
        first_segment[i] = -1;
    for (int i = symbols.segment_count - 1; i >= 0; i--)
        first_segment[symbols.segments[i].object] = i;
    for (int i = 0; i < symbols.object_count; i++)
        if (first_segment[i] >= 0)
            symbols.objects[i].module =
                    known_module(&symbols.objects[i], symbols.segments[first_segment[i]].mapping.start);

    dwfl_report_begin(symbols.dwfl);
    for (int i = 0; i < symbols.object_count; i++) {
        struct object *object = &symbols.objects[i];
        Dwarf_Addr low, high;
        if (object->module) {
            dwfl_module_info(object->module, NULL, &low, &high, NULL, NULL, NULL, NULL);
            object->module = dwfl_report_module(symbols.dwfl, object->path, low, high);
        } else if (!object->is_vdso && first_segment[i] >= 0) {
            /* Opened by us, on a number >= 3 (descriptors.h); libdwfl keeps it on success. */
            int fd = libleak_open_high(object->file, O_RDONLY, 0);
            object->module = fd < 0 ? NULL
                                    : dwfl_report_elf(symbols.dwfl, object->path, object->file, fd,
                                                      object->bias, false);
            if (fd >= 0 && !object->module)
                close(fd);
        }
    }
    dwfl_report_end(symbols.dwfl, forget_module, NULL);
    symbols.dwfl_current = true;
}

/* The name to show: demangled when libstdc++'s demangler is in the process anyway. */
static const char *display_name(const char *raw)
{
    if (!raw || !symbols.demangle || raw[0] != '_' || raw[1] != 'Z')
        return intern(raw);
    int status = -1;
    char *demangled = symbols.demangle(raw, NULL, NULL, &status);
    const char *name = intern(status == 0 && demangled ? demangled : raw);
    free(demangled);
    return name;
}

/* Sets line's function names from a subprogram or inlined-subroutine DIE (through its
   abstract origin or declaration, where the names live). */
static void name_from_die(Dwarf_Die *die, struct libleak_line *line)
{
    Dwarf_Attribute attribute;
    const char *linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attribute));
    if (!linkage)
        linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attribute));
    const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attribute));
    /* C++ DW_AT_name is unqualified ("push_back"): the demangled linkage name says more. A C
	   linkage name is an asm label (glibc's "__GI__IO_doallocbuf"): the source name is the
	   one a reader knows. */
    bool mangled = linkage && linkage[0] == '_' && linkage[1] == 'Z';
    line->function = mangled || !name ? display_name(linkage) : intern(name);
    line->system_name = intern(linkage ? linkage : name);
}

static bool is_function(Dwarf_Die *die)
{
    int tag = dwarf_tag(die);
    return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_entry_point;
}

/* The compile unit holding pc. libdwfl finds it through .debug_aranges; clang does not emit
   that section and libdw 0.188 does not fall back to the units' own ranges, so we do. */
static Dwarf_Die *find_unit(Dwfl_Module *module, uint64_t pc, Dwarf_Addr *bias)
{
    Dwarf_Die *unit = dwfl_module_addrdie(module, pc, bias);
    if (unit)
        return unit;
    struct module_data *data = module_data(module);
    if (data && !data->units)
        data->units = read_units(module);
    struct unit_table *table = data ? data->units : NULL;
    if (!table)
        return NULL;
    Dwarf_Addr address = pc - table->bias;
    int low = entries_up_to(table->entries, table->count, sizeof table->entries[0],
                            offsetof(struct unit_range, low), address);
    if (low == 0 || address >= table->entries[low - 1].high)
        return NULL;
    *bias = table->bias;
    return table->entries[low - 1].unit;
}

/* The function (DW_TAG_subprogram) whose code holds address, among parent's children and
   inside namespaces, where C++ puts them. */
static bool find_function(Dwarf_Die *parent, Dwarf_Addr address, Dwarf_Die *found)
{
    Dwarf_Die child, next;
    if (dwarf_child(parent, &child) != 0)
        return false;
    do {
        int tag = dwarf_tag(&child);
        if (tag == DW_TAG_subprogram && dwarf_haspc(&child, address) > 0) {
            *found = child;
            return true;
        }
        if (tag == DW_TAG_namespace && find_function(&child, address, found))
            return true;
        if (dwarf_siblingof(&child, &next) != 0)
            return false;
        child = next;
    } while (true);
}

/* The scopes holding address, innermost first, down from the function that holds it: one
   walk over the unit's top-level entries and then over that function's blocks only.
   dwarf_getscopes does the same but visits the whole unit, twice (about 60 us a pc in libc),
   and for an inlined instance stops at the inlined function's own definition. Returns 0
   when this simple walk does not find it (nested functions, code in imported units). */
static int function_scopes(Dwarf_Die *unit, Dwarf_Addr address, Dwarf_Die *scopes, int max)
{
    Dwarf_Die chain[max];
    if (!find_function(unit, address, &chain[0]))
        return 0;
    int depth = 1;
    while (depth < max) {
        Dwarf_Die child, next;
        bool descended = false;
        if (dwarf_child(&chain[depth - 1], &child) != 0)
            break;
        do {
            int tag = dwarf_tag(&child);
            if ((tag == DW_TAG_lexical_block || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_try_block ||
                 tag == DW_TAG_catch_block) &&
                dwarf_haspc(&child, address) > 0) {
                chain[depth++] = child;
                descended = true;
                break;
            }
            if (dwarf_siblingof(&child, &next) != 0)
                break;
            child = next;
        } while (true);
        if (!descended)
            break;
    }
    for (int i = 0; i < depth; i++)
        scopes[i] = chain[depth - 1 - i];
    return depth;
}

/* The same answer from libdw's own (slower, more general) walk; *scopes is malloc'd. */
static int libdw_scopes(Dwarf_Die *unit, Dwarf_Addr address, Dwarf_Die **scopes)
{
    int count = dwarf_getscopes(unit, address, scopes);
    bool inlined = false;
    for (int i = 0; i < count && !inlined; i++)
        inlined = dwarf_tag(&(*scopes)[i]) == DW_TAG_inlined_subroutine;
    if (!inlined)
        return count;
    /* dwarf_getscopes follows an inlined instance into its abstract origin's scopes; the
	   chain of callers comes from the DIE's physical parents instead. */
    Dwarf_Die innermost = (*scopes)[0];
    free(*scopes);
    *scopes = NULL;
    return dwarf_getscopes_die(&innermost, scopes);
}

#define MAX_SCOPES 64

/* Fills lines from DWARF: lines[0] is the line of address (unit-relative) and the innermost
   function containing it; each DW_TAG_inlined_subroutine around address adds one line, its
   DW_AT_call_file/DW_AT_call_line in the function around it (the walk of eu-addr2line -i).
   Returns the count (0 when the unit knows nothing of address); *complete says whether the
   last line is the outermost function (deeper chains are cut at max, innermost kept). */
static int dwarf_frames(Dwarf_Die *unit, Dwarf_Addr address, struct libleak_line *lines, int max,
                        bool *complete)
{
    *complete = true;
    lines[0] = (struct libleak_line){0};
    Dwarf_Line *source = dwarf_getsrc_die(unit, address);
    int number = 0;
    if (source && dwarf_lineno(source, &number) == 0) {
        lines[0].file = intern(dwarf_linesrc(source, NULL, NULL));
        lines[0].line = number;
    }

    Dwarf_Die found[MAX_SCOPES], *allocated = NULL, *scopes = found;
    int scope_count = function_scopes(unit, address, found, MAX_SCOPES);
    if (scope_count == 0) {
        scope_count = libdw_scopes(unit, address, &allocated);
        scopes = allocated;
    }
    Dwarf_Files *files = NULL;
    if (scope_count > 0 && dwarf_getsrcfiles(unit, &files, NULL) != 0)
        files = NULL;

    int count = 1;
    bool named = false;
    for (int i = 0; i < scope_count; i++) {
        if (!is_function(&scopes[i]))
            continue;
        if (!named) {
            name_from_die(&scopes[i], &lines[0]);
            named = true;
        }
        if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
            break;
        if (count == max) {
            *complete = false;
            break;
        }
        /* The caller's line: the function around this inlined instance, at the call. */
        struct libleak_line *line = &lines[count++];
        *line = (struct libleak_line){0};
        for (int j = i + 1; j < scope_count; j++) {
            if (is_function(&scopes[j])) {
                name_from_die(&scopes[j], line);
                break;
            }
        }
        Dwarf_Attribute attribute;
        Dwarf_Word value;
        if (files && dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attribute), &value) == 0)
            line->file = intern(dwarf_filesrc(files, value, NULL, NULL));
        if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attribute), &value) == 0)
            line->line = (int64_t)value;
    }
    free(allocated);
    return named || lines[0].file ? count : 0;
}

/* Fills lines for pc in mapping; returns how many. */
static int symbolize(uint64_t pc, int mapping, struct libleak_line *lines, int max)
{
    struct object *object = &symbols.objects[symbols.segments[mapping].object];
    if (object->is_vdso)
        return 0;
    if (!symbols.dwfl_current)
        report_objects();
    if (!object->module)
        return 0;

    /* The symbol table names functions even without debug information. */
    const char *raw = symbol_name(object->module, pc);
    Dwarf_Addr bias = 0;
    Dwarf_Die *unit = find_unit(object->module, pc, &bias);
    bool complete = true;
    int count = unit ? dwarf_frames(unit, pc - bias, lines, max, &complete) : 0;
    if (raw && (count == 0 || complete)) {
        /* The outermost frame is the symbol itself. DWARF's name is kept for display: the
		   symbol may be a compiler's clone ("f.constprop.0") of the function written. */
        struct libleak_line *outermost = &lines[count ? count - 1 : 0];
        if (count == 0)
            *outermost = (struct libleak_line){0};
        if (!outermost->function)
            outermost->function = display_name(raw);
        outermost->system_name = intern(raw);
        count = count ? count : 1;
    }

    struct libleak_mapping *m = &symbols.segments[mapping].mapping;
    for (int i = 0; i < count; i++) {
        m->has_functions |= lines[i].function != NULL;
        m->has_filenames |= lines[i].file != NULL;
        m->has_line_numbers |= lines[i].line > 0;
    }
    m->has_inline_frames |= count > 1;
    return count;
}

int libleak_symbols_lookup(uint64_t pc, bool symbolize_pc, struct libleak_line *lines, int max,
                           int *mapping_index)
{
    if (!symbols.ranges && libleak_symbols_refresh() != 0) {
        *mapping_index = -1;
        return 0;
    }
    int mapping = find_mapping(pc);
    *mapping_index = mapping;
    if (mapping < 0 || !symbolize_pc || max <= 0 || pc == 0)
        return 0;

    if (symbols.cache_capacity) {
        struct symbolized *hit = cache_slot(symbols.cache, symbols.cache_capacity, pc);
        if (hit->pc == pc) {
            int n = hit->count < max ? hit->count : max;
            if (n > 0) /* a cached "no lines" has no array: memcpy from NULL is undefined */
                memcpy(lines, hit->lines, (size_t)n * sizeof *lines);
            return n;
        }
    }

    struct libleak_line found[LIBLEAK_MAX_INLINE];
    int count = symbolize(pc, mapping, found, LIBLEAK_MAX_INLINE);

    if (2 * (symbols.cache_used + 1) <= symbols.cache_capacity || cache_grow()) {
        struct libleak_line *copy = count ? malloc((size_t)count * sizeof *copy) : NULL;
        if (!count || copy) {
            if (count)
                memcpy(copy, found, (size_t)count * sizeof *copy);
            *cache_slot(symbols.cache, symbols.cache_capacity, pc) = (struct symbolized){pc, count, copy};
            symbols.cache_used++;
        }
    }
    int n = count < max ? count : max;
    memcpy(lines, found, (size_t)n * sizeof *lines);
    return n;
}

int libleak_symbols_lookup_cached(uint64_t pc, struct libleak_line *lines, int max, int *mapping_index)
{
    if (!symbols.ranges && libleak_symbols_refresh() != 0) {
        *mapping_index = -1;
        return 0;
    }
    *mapping_index = find_mapping(pc);
    if (*mapping_index < 0 || max <= 0 || pc == 0 || !symbols.cache_capacity)
        return 0;
    struct symbolized *hit = cache_slot(symbols.cache, symbols.cache_capacity, pc);
    if (hit->pc != pc)
        return 0;
    int n = hit->count < max ? hit->count : max;
    memcpy(lines, hit->lines, (size_t)n * sizeof *lines);
    return n;
}

void libleak_symbols_close_files(void)
{
    end_dwfl();
    for (int i = 0; i < symbols.object_count; i++)
        symbols.objects[i].module = NULL;
    symbols.dwfl_current = false;
}

void libleak_symbols_abandon(void)
{
    memset(&symbols, 0, sizeof symbols);
}
