/*
 * dwarf_names.c — names of an address in one ELF file, with libdwfl (dwarf_names.h).
 *
 * The file is reported alone to its own libdwfl session, at its own addresses, and libdwfl
 * is told never to look for a separate debug file: symbolize.c has already chosen the file
 * by build ID (in libdw 0.188 libdwfl's own search would dlopen libdebuginfod behind our
 * back). Names come from the symbol table, so a binary without -g still names functions;
 * inlined frames and lines come from DWARF, by the walk of eu-addr2line -i that the library
 * takes too (common/dwarf_frames.c): the innermost scope's line is the address's line, and
 * each DW_TAG_inlined_subroutine adds the frame of the function around it, at its
 * DW_AT_call_file:DW_AT_call_line. The library's in-process
 * symbolizer (libleak/dump/dwarf_lookup.c) gives the same frames, faster; leakprof looks up
 * few addresses and keeps to libdw's plain calls.
 */
#include "model/dwarf_names.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/dwarf_frames.h"
#include "model/util.h"

struct dwarf_file {
    Dwfl *dwfl;
    Dwfl_Module *module;
    Dwarf_Addr bias; /* module address = ELF address + bias */
    char **demangled;  /* the C++ names handed out, freed with the file */
    size_t demangled_count, demangled_capacity;
};

typedef char *(*demangler_function)(const char *, char *, size_t *, int *);

/* libstdc++'s demangler, loaded on the first C++ name (leakprof is C; without libstdc++ the
   mangled name is shown). */
static demangler_function demangler(void)
{
    static bool tried;
    static demangler_function found;
    if (!tried) {
        tried = true;
        void *library = dlopen("libstdc++.so.6", RTLD_NOW | RTLD_LOCAL);
        if (library)
            found = (demangler_function)dlsym(library, "__cxa_demangle");
    }
    return found;
}

/* NAME demangled when it is a C++ name and the demangler is there, else NAME itself. */
static const char *display_name(struct dwarf_file *file, const char *name)
{
    if (!name || name[0] != '_' || name[1] != 'Z' || !demangler())
        return name;
    int status = -1;
    char *demangled = demangler()(name, NULL, NULL, &status);
    if (status != 0 || !demangled) {
        free(demangled);
        return name;
    }
    if (file->demangled_count == file->demangled_capacity) {
        file->demangled_capacity = file->demangled_capacity ? file->demangled_capacity * 2 : 16;
        file->demangled = xreallocarray(file->demangled, file->demangled_capacity, sizeof *file->demangled);
    }
    return file->demangled[file->demangled_count++] = demangled;
}

static int no_debuginfo(Dwfl_Module *module, void **userdata, const char *name, Dwarf_Addr base,
                        const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
                        char **debuginfo_file_name)
{
    (void)module, (void)userdata, (void)name, (void)base, (void)file_name, (void)debuglink_file;
    (void)debuglink_crc, (void)debuginfo_file_name;
    return -1;
}

static char *no_search_path;
static const Dwfl_Callbacks callbacks = {
        .find_elf = dwfl_build_id_find_elf,
        .find_debuginfo = no_debuginfo,
        .debuginfo_path = &no_search_path,
};

struct dwarf_file *dwarf_file_open(const char *path, int fd, const char **error)
{
    struct dwarf_file *file = xcalloc(1, sizeof *file);
    file->dwfl = dwfl_begin(&callbacks);
    if (file->dwfl) {
        dwfl_report_begin(file->dwfl);
        file->module = dwfl_report_elf(file->dwfl, path, path, fd, 0, false);
        dwfl_report_end(file->dwfl, NULL, NULL);
    }
    if (!file->module || !dwfl_module_getelf(file->module, &file->bias)) {
        *error = dwfl_errmsg(-1);
        if (!file->module)
            close(fd); /* libdwfl owns it only on success */
        dwarf_file_close(file);
        return NULL;
    }
    return file;
}

bool dwarf_file_has_dwarf(struct dwarf_file *file)
{
    Dwarf_Addr bias;
    return dwfl_module_getdwarf(file->module, &bias) != NULL;
}

void dwarf_file_close(struct dwarf_file *file)
{
    if (!file)
        return;
    if (file->dwfl)
        dwfl_end(file->dwfl);
    for (size_t i = 0; i < file->demangled_count; i++)
        free(file->demangled[i]);
    free(file->demangled);
    free(file);
}

/* A subprogram's or inlined instance's names, through its abstract origin or declaration.
   C++'s DW_AT_name is unqualified ("push_back"): its demangled linkage name says more. A C
   linkage name is an asm label (glibc's "__GI__IO_doallocbuf"): the source name reads
   better. As the library's symbolizer (libleak/dump/dwarf_lookup.c) names them. */
static void name_from_die(struct dwarf_file *file, Dwarf_Die *die, struct symbol_frame *frame)
{
    Dwarf_Attribute attribute;
    const char *linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attribute));
    const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attribute));
    bool mangled = linkage && linkage[0] == '_' && linkage[1] == 'Z';
    frame->function = mangled || !name ? display_name(file, linkage) : name;
    frame->system_name = linkage ? linkage : (name ? name : "");
}

/* The compile unit of address: through .debug_aranges, else (clang emits none) by walking
   the units' own ranges. */
static Dwarf_Die *find_unit(struct dwarf_file *file, Dwarf_Addr address, Dwarf_Addr *bias)
{
    Dwarf_Die *unit = dwfl_module_addrdie(file->module, address, bias);
    if (unit)
        return unit;
    while ((unit = dwfl_module_nextcu(file->module, unit, bias)))
        if (dwarf_haspc(unit, address - *bias) > 0)
            return unit;
    return NULL;
}

/* Scopes around address, innermost first; *scopes is malloc'd. dwarf_getscopes follows an
   inlined instance into its abstract origin; its callers come from the physical parents. */
static int scopes_of(Dwarf_Die *unit, Dwarf_Addr address, Dwarf_Die **scopes)
{
    int count = dwarf_getscopes(unit, address, scopes);
    for (int i = 0; i < count; i++) {
        if (dwarf_tag(&(*scopes)[i]) == DW_TAG_inlined_subroutine) {
            Dwarf_Die innermost = (*scopes)[0];
            free(*scopes);
            *scopes = NULL;
            return dwarf_getscopes_die(&innermost, scopes);
        }
    }
    return count;
}

/* libleak_dwarf_frames' visitor: fills frames[index] (frames[0]'s file and line are the
   address's, set before the walk). */
struct walk {
    struct dwarf_file *file;
    struct symbol_frame *frames;
};

static void name_frame(void *context, int index, Dwarf_Die *function, const char *call_file, int64_t call_line)
{
    struct walk *walk = context;
    struct symbol_frame *frame = &walk->frames[index];
    if (index > 0)
        *frame = (struct symbol_frame){.file = call_file ? call_file : "", .line = call_line, .system_name = ""};
    if (function)
        name_from_die(walk->file, function, frame);
}

static int dwarf_frames(struct dwarf_file *file, Dwarf_Die *unit, Dwarf_Addr address, struct symbol_frame *frames,
                        int max)
{
    frames[0] = (struct symbol_frame){.file = "", .system_name = ""};
    Dwarf_Line *source = dwarf_getsrc_die(unit, address);
    int number = 0;
    const char *file_name;
    if (source && dwarf_lineno(source, &number) == 0 && (file_name = dwarf_linesrc(source, NULL, NULL))) {
        frames[0].file = file_name;
        frames[0].line = number;
    }
    Dwarf_Die *scopes = NULL;
    int scope_count = scopes_of(unit, address, &scopes);
    struct walk walk = {file, frames};
    bool complete;
    int visited = libleak_dwarf_frames(unit, scopes, scope_count, max, &complete, name_frame, &walk);
    free(scopes);
    return visited || frames[0].line ? (visited ? visited : 1) : 0;
}

int dwarf_file_describe(struct dwarf_file *file, uint64_t vaddr, struct symbol_frame *frames, int max)
{
    if (max < 1)
        return 0;
    Dwarf_Addr address = vaddr + file->bias, unit_bias = 0;
    GElf_Off offset;
    GElf_Sym symbol;
    const char *raw = dwfl_module_addrinfo(file->module, address, &offset, &symbol, NULL, NULL, NULL);
    Dwarf_Die *unit = find_unit(file, address, &unit_bias);
    int count = unit ? dwarf_frames(file, unit, address - unit_bias, frames, max) : 0;
    if (raw && *raw) {
        /* The outermost frame is the symbol itself (DWARF's name is kept for display: the
           symbol may be a clone, "f.constprop.0"). */
        if (count == 0)
            frames[count++] = (struct symbol_frame){.file = ""};
        struct symbol_frame *outermost = &frames[count - 1];
        if (!outermost->function)
            outermost->function = display_name(file, raw);
        outermost->system_name = raw;
    }
    for (int i = 0; i < count; i++)
        if (!frames[i].function)
            frames[i].function = "";
    return count;
}
