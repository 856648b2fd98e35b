/*
 * dwarf_lookup — function names, files and lines of a pc, from the symbol tables and DWARF of
 * the file mapped there, through elfutils' libdwfl.
 *
 * libdwfl opens the files (separate debug files by build ID included); names come from the
 * symbol tables, so programs built without -g still get them, and lines and inlined frames
 * from DWARF. Two of libdw's lookups cost tens of microseconds a pc on a library like libc (a
 * linear scan of the symbol table, a walk of the whole compile unit), so we keep a sorted
 * symbol table per module and walk only the function that holds the pc. Names are demangled
 * with libstdc++'s demangler when the process has it, and interned (interned.h).
 *
 * The libdwfl session lasts one dump: libleak_dwarf_end closes it, and with it libdw's files,
 * after every dump, because libleak holds no descriptor of the program's between dumps
 * (docs/ARCHITECTURE.md, "File descriptors"). Within a dump a change of the module list keeps
 * it (only new modules are opened, see report_objects). What was found is cached per pc by
 * symbols.c, across dumps.
 *
 * Only the dumper thread calls this file, so there is no locking here.
 */
#include "dump/dwarf_lookup.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/descriptors.h"
#include "dump/interned.h"
#include "dump/mappings.h"
#include "common/dwarf_frames.h"
#include "common/sorted.h"

typedef char *(*demangler_function)(const char *, char *, size_t *, int *);

static struct {
    Dwfl *dwfl;
    bool reported;         /* the objects have been reported since the list last changed */
    Dwfl_Module **modules; /* per object of the mapping list; NULL when it failed */
    int module_count, module_capacity;
    demangler_function demangle;
} dwarf;

/* dlsym takes the loader's lock: called by the dumper before it takes the dump lock, so that no
   lock of ours is held while it waits for the loader (dump.c). */
static _Atomic(demangler_function) demangler;

void libleak_dwarf_find_demangler(void)
{
    demangler_function found = (demangler_function)dlsym(RTLD_DEFAULT, "__cxa_demangle");
    atomic_store_explicit(&demangler, found, memory_order_relaxed);
}

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
    int low = libleak_entries_up_to(table->entries, table->count, sizeof table->entries[0],
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
    if (!dwarf.dwfl)
        return;
    dwfl_getmodules(dwarf.dwfl, free_each_module, NULL, 0);
    dwfl_end(dwarf.dwfl);
    dwarf.dwfl = NULL;
}

/* The module libdwfl already has for object, if it is the same file at the same place. */
static Dwfl_Module *known_module(const struct libleak_object *object)
{
    Dwfl_Module *module = dwfl_addrmodule(dwarf.dwfl, object->first_start);
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
    if (!dwarf.dwfl) {
        dwarf.dwfl = dwfl_begin(&dwfl_callbacks);
        if (!dwarf.dwfl)
            return;
    }
    int count = libleak_mappings_object_count();
    if (count > dwarf.module_capacity) {
        Dwfl_Module **grown = realloc(dwarf.modules, (size_t)count * sizeof *grown);
        if (!grown)
            return;
        dwarf.modules = grown;
        dwarf.module_capacity = count;
    }
    /* First find the known modules, while libdwfl's address index is still there. */
    for (int i = 0; i < count; i++) {
        const struct libleak_object *object = libleak_mappings_object(i);
        dwarf.modules[i] = object->has_code ? known_module(object) : NULL;
    }

    dwfl_report_begin(dwarf.dwfl);
    for (int i = 0; i < count; i++) {
        const struct libleak_object *object = libleak_mappings_object(i);
        Dwarf_Addr low, high;
        if (dwarf.modules[i]) {
            dwfl_module_info(dwarf.modules[i], NULL, &low, &high, NULL, NULL, NULL, NULL);
            dwarf.modules[i] = dwfl_report_module(dwarf.dwfl, object->path, low, high);
        } else if (!object->is_vdso && object->has_code) {
            /* Opened by us, on a number >= 3 (descriptors.h); libdwfl keeps it on success. */
            int fd = libleak_open_high(object->file, O_RDONLY, 0);
            dwarf.modules[i] =
                    fd < 0 ? NULL
                           : dwfl_report_elf(dwarf.dwfl, object->path, object->file, fd, object->bias, false);
            if (fd >= 0 && !dwarf.modules[i])
                close(fd);
        }
    }
    dwfl_report_end(dwarf.dwfl, forget_module, NULL);
    dwarf.module_count = count;
    dwarf.reported = true;
}

/* The name to show: demangled when libstdc++'s demangler is in the process anyway. */
static const char *display_name(const char *raw)
{
    if (!raw || !dwarf.demangle || raw[0] != '_' || raw[1] != 'Z')
        return libleak_intern(raw);
    int status = -1;
    char *demangled = dwarf.demangle(raw, NULL, NULL, &status);
    const char *name = libleak_intern(status == 0 && demangled ? demangled : raw);
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
    line->function = mangled || !name ? display_name(linkage) : libleak_intern(name);
    line->system_name = libleak_intern(linkage ? linkage : name);
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
    int low = libleak_entries_up_to(table->entries, table->count, sizeof table->entries[0],
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

/* libleak_dwarf_frames' visitor: fills lines[index] (lines[0]'s file and line are the
   address's, set before the walk). */
static void name_line(void *context, int index, Dwarf_Die *function, const char *call_file, int64_t call_line)
{
    struct libleak_line *line = &((struct libleak_line *)context)[index];
    if (index > 0) {
        *line = (struct libleak_line){0};
        line->file = call_file ? libleak_intern(call_file) : NULL;
        line->line = call_line;
    }
    if (function)
        name_from_die(function, line);
}

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
        lines[0].file = libleak_intern(dwarf_linesrc(source, NULL, NULL));
        lines[0].line = number;
    }

    Dwarf_Die found[MAX_SCOPES], *allocated = NULL, *scopes = found;
    int scope_count = function_scopes(unit, address, found, MAX_SCOPES);
    if (scope_count == 0) {
        scope_count = libdw_scopes(unit, address, &allocated);
        scopes = allocated;
    }
    int visited = libleak_dwarf_frames(unit, scopes, scope_count, max, complete, name_line, lines);
    free(allocated);
    return visited || lines[0].file ? (visited ? visited : 1) : 0;
}

int libleak_dwarf_describe(uint64_t pc, int object_index, struct libleak_line *lines, int max)
{
    const struct libleak_object *object = libleak_mappings_object(object_index);
    if (object->is_vdso)
        return 0;
    if (!dwarf.reported)
        report_objects();
    Dwfl_Module *module =
            dwarf.reported && object_index < dwarf.module_count ? dwarf.modules[object_index] : NULL;
    if (!module)
        return 0;

    /* The symbol table names functions even without debug information. */
    const char *raw = symbol_name(module, pc);
    Dwarf_Addr bias = 0;
    Dwarf_Die *unit = find_unit(module, pc, &bias);
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
        outermost->system_name = libleak_intern(raw);
        count = count ? count : 1;
    }
    return count;
}

void libleak_dwarf_forget_modules(void)
{
    dwarf.reported = false;
    dwarf.module_count = 0;
    dwarf.demangle = atomic_load_explicit(&demangler, memory_order_relaxed);
}

void libleak_dwarf_end(void)
{
    end_dwfl();
    dwarf.reported = false;
    dwarf.module_count = 0;
}

void libleak_dwarf_abandon(void)
{
    memset(&dwarf, 0, sizeof dwarf);
}
