/*
 * mappings — see mappings.h.
 *
 * The module list is read once per change into an array of executable segments and an index
 * of their ranges sorted by address, so that "which mapping holds this pc?", asked for every
 * frame of every stack of a dump, is a binary search with no lock, no syscall and no
 * allocation. Segments are rounded like the kernel maps them, so that pc - start + file_offset
 * is the file offset, as pprof computes it.
 */
#include "dump/mappings.h"

#include <elf.h>
#include <errno.h> /* program_invocation_name */
#include <limits.h>
#include <link.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump/interned.h"
#include "alloc/modules.h"
#include "common/sorted.h"
#include "os/proc_files.h"

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

static struct {
    bool current;                  /* the list below is the one adds/subs describe */
    unsigned long long adds, subs; /* the loader's dlpi_adds/dlpi_subs when it was read */

    struct libleak_object *objects;
    int object_count;
    struct segment *segments; /* index 0 is the main program's first */
    int segment_count;
    struct range *ranges; /* sorted by start */
    int last_range;       /* stacks repeat modules: try the last hit first */
    /* Where stacks saw a module that has been unloaded or replaced since. */
    uintptr_t retired_starts[64], retired_ends[64];
    int retired_count;
} mappings;

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

#define BUILD_ID_HEX (2 * 64 + 1)

/* The GNU build ID from the object's PT_NOTE segments in memory, as lowercase hex ("" when it
   has none). Reads the object's memory: only while the loader's lock is held. */
static void read_build_id(const struct dl_phdr_info *info, char hex[BUILD_ID_HEX])
{
    hex[0] = '\0';
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
                size_t n = header->n_descsz < 64 ? header->n_descsz : 64;
                for (size_t k = 0; k < n; k++)
                    snprintf(hex + 2 * k, 3, "%02x", id[k]);
                hex[2 * n] = '\0';
                return;
            }
            note += total;
            left -= total;
        }
    }
}

/* True when the program was started as "ld.so ./prog": /proc/self/exe is then the program's
   own interpreter (PT_INTERP), and argv[0] names the program. Reads the object's memory. */
static bool started_by_interpreter(const struct dl_phdr_info *info)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type != PT_INTERP || p->p_filesz == 0 || !is_loaded(info, p->p_vaddr, p->p_filesz))
            continue;
        const char *interpreter = (const char *)(info->dlpi_addr + p->p_vaddr);
        struct stat a, b;
        return interpreter[p->p_filesz - 1] == '\0' && stat(interpreter, &a) == 0 &&
               stat(LIBLEAK_PROC_THREAD "exe", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    }
    return false;
}

/* The path pprof should look for: absolute; for the main program (which the loader leaves
   unnamed) the target of /proc/self/exe. *running_file says the main program can be opened
   as /proc/self/exe, the very file that runs even if its path was replaced since. */
static const char *object_path(const struct dl_phdr_info *info, bool is_main, bool is_vdso,
                               bool by_interpreter, bool *running_file)
{
    char buffer[PATH_MAX];
    const char *name = info->dlpi_name;
    *running_file = false;
    if (is_vdso)
        return libleak_intern("[vdso]"); /* what /proc/self/maps says; pprof leaves it alone */
    if (is_main && name[0] == '\0') {
        if (by_interpreter) {
            name = program_invocation_name;
        } else {
            if (libleak_program_path(buffer, sizeof buffer)) {
                *running_file = true;
                return libleak_intern(buffer);
            }
        }
    }
    if (name[0] != '/' && realpath(name, buffer))
        return libleak_intern(buffer);
    return libleak_intern(name);
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

/*
 * The module list is copied inside a dl_iterate_phdr callback (the loader's lock keeps every
 * object mapped meanwhile): names, program headers, build IDs. The copy is made before the
 * dump lock is taken (libleak_mappings_prepare), so that no lock of ours is ever held while
 * the loader's is taken; under the dump lock it is only installed. A refresh without a
 * prepared copy (a lookup outside a dump, such as the leak gate's report) reads one there and
 * then; inside a dump that happens only when the copy could not be made for lack of memory.
 */
struct module_copy {
    uint64_t bias;
    char *name;
    ElfW(Phdr) * headers;
    int header_count;
    bool by_interpreter; /* the main program, started as "ld.so ./prog" */
    char build_id[BUILD_ID_HEX];
};

struct module_list {
    struct module_copy *modules;
    int count, capacity;
    bool have_counters;
    unsigned long long counters[2]; /* dlpi_adds, dlpi_subs, read in the same walk */
    bool failed;
};

static __thread struct module_list *prepared;

static int copy_module(struct dl_phdr_info *info, size_t size, void *data)
{
    struct module_list *list = data;
    if (list->count == 0) /* taken in the same walk as the list, under the same lock: they match */
        list->have_counters = read_counters(info, size, list->counters) == 1;
    if (!append((void **)&list->modules, list->count, &list->capacity, sizeof *list->modules))
        goto fail;
    struct module_copy *copy = &list->modules[list->count];
    *copy = (struct module_copy){.bias = info->dlpi_addr, .header_count = info->dlpi_phnum};
    copy->name = strdup(info->dlpi_name ? info->dlpi_name : "");
    copy->headers = malloc((size_t)info->dlpi_phnum * sizeof *copy->headers + 1);
    if (!copy->name || !copy->headers) {
        free(copy->name);
        free(copy->headers);
        goto fail;
    }
    memcpy(copy->headers, info->dlpi_phdr, (size_t)info->dlpi_phnum * sizeof *copy->headers);
    copy->by_interpreter = list->count == 0 && info->dlpi_name[0] == '\0' && started_by_interpreter(info);
    read_build_id(info, copy->build_id);
    list->count++;
    return 0;
fail:
    list->failed = true;
    return 1;
}

static void free_list(struct module_list *list)
{
    for (int i = 0; i < list->count; i++) {
        free(list->modules[i].name);
        free(list->modules[i].headers);
    }
    free(list->modules);
    *list = (struct module_list){0};
}

static bool read_list(struct module_list *list)
{
    *list = (struct module_list){0};
    libleak_modules_iterate(copy_module, list);
    if (list->failed || list->count == 0) {
        free_list(list);
        return false;
    }
    return true;
}

struct collect {
    int object_capacity, segment_capacity;
    bool failed;
};

/* One object of the copied list into the mappings. Reads nothing of the object's memory. */
static void collect_object(const struct module_copy *copy, struct collect *c)
{
    struct dl_phdr_info view = {
            .dlpi_addr = copy->bias,
            .dlpi_name = copy->name,
            .dlpi_phdr = copy->headers,
            .dlpi_phnum = (ElfW(Half))copy->header_count,
    };
    const struct dl_phdr_info *info = &view;
    bool is_main = mappings.object_count == 0;
    uintptr_t vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
    bool is_vdso = vdso && vdso >= info->dlpi_addr && is_loaded(info, vdso - info->dlpi_addr, 1);
    if (!is_main && !is_vdso && info->dlpi_name[0] == '\0')
        return; /* not a file we could name */

    if (!append((void **)&mappings.objects, mappings.object_count, &c->object_capacity,
                sizeof *mappings.objects))
        goto fail;
    struct libleak_object *object = &mappings.objects[mappings.object_count];
    bool running_file;
    *object = (struct libleak_object){
            .bias = info->dlpi_addr,
            .path = object_path(info, is_main, is_vdso, copy->by_interpreter, &running_file),
            .is_vdso = is_vdso,
    };
    object->file = running_file ? LIBLEAK_PROC_THREAD "exe" : object->path;
    const char *build_id = libleak_intern(copy->build_id);
    if (!object->path || !build_id)
        goto fail;

    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type != PT_LOAD || !(p->p_flags & PF_X))
            continue;
        if (!append((void **)&mappings.segments, mappings.segment_count, &c->segment_capacity,
                    sizeof *mappings.segments))
            goto fail;
        /* Rounded like the kernel maps it, so that pc - start + file_offset is the file
           offset, as pprof computes it from /proc/self/maps-style mappings. */
        uint64_t address = info->dlpi_addr + p->p_vaddr;
        uint64_t start = address & ~(page - 1);
        uint64_t limit = (address + p->p_memsz + page - 1) & ~(page - 1);
        mappings.segments[mappings.segment_count++] = (struct segment){
                .mapping =
                        {
                                .start = start,
                                .limit = limit,
                                .file_offset = p->p_offset - (address - start),
                                .path = object->path,
                                .build_id = build_id,
                        },
                .object = mappings.object_count,
        };
        if (!object->has_code) {
            object->has_code = true;
            object->first_start = start;
        }
    }
    mappings.object_count++;
    return;
fail:
    c->failed = true;
}

static int compare_ranges(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static bool build_index(void)
{
    mappings.ranges = malloc((size_t)mappings.segment_count * sizeof *mappings.ranges);
    if (!mappings.ranges)
        return false;
    for (int i = 0; i < mappings.segment_count; i++)
        mappings.ranges[i] =
                (struct range){mappings.segments[i].mapping.start, mappings.segments[i].mapping.limit, i};
    qsort(mappings.ranges, (size_t)mappings.segment_count, sizeof *mappings.ranges, compare_ranges);
    return true;
}

/* Frees the list: the next refresh reads it again. */
static void forget_list(void)
{
    free(mappings.objects);
    free(mappings.segments);
    free(mappings.ranges);
    mappings.objects = NULL;
    mappings.segments = NULL;
    mappings.ranges = NULL;
    mappings.object_count = mappings.segment_count = 0;
    mappings.last_range = 0;
    mappings.current = false;
}

void libleak_mappings_abandon(void)
{
    memset(&mappings, 0, sizeof mappings);
}

void libleak_mappings_prepare(void)
{
    struct module_list *list = calloc(1, sizeof *list);
    if (list && read_list(list)) {
        libleak_mappings_release_prepared();
        prepared = list;
    } else {
        free(list);
    }
}

void *libleak_mappings_take_prepared(void)
{
    struct module_list *list = prepared;
    prepared = NULL;
    return list;
}

void libleak_mappings_adopt_prepared(void *list)
{
    libleak_mappings_release_prepared();
    prepared = list;
}

void libleak_mappings_release_prepared(void)
{
    if (prepared) {
        free_list(prepared);
        free(prepared);
        prepared = NULL;
    }
}

int libleak_mappings_refresh(void)
{
    struct module_list read_now, *list = prepared;
    if (!list) {
        if (!read_list(&read_now))
            return -1;
        list = &read_now;
    }
    int result = 0;
    if (!mappings.current || !list->have_counters || list->counters[0] != mappings.adds ||
        list->counters[1] != mappings.subs) {
        /* The strings of the old list go with it. */
        forget_list();
        libleak_intern_forget();
        struct collect c = {0};
        for (int i = 0; i < list->count && !c.failed; i++)
            collect_object(&list->modules[i], &c);
        if (c.failed || mappings.segment_count == 0 || !build_index()) {
            forget_list();
            libleak_intern_forget();
            mappings.current = false;
            result = -1;
        } else {
            mappings.retired_count =
                    libleak_modules_retired(mappings.retired_starts, mappings.retired_ends, 64);
            /* Without the counters (a very old loader) every refresh re-reads: correct, only
               slower. */
            mappings.current = list->have_counters;
            mappings.adds = list->counters[0];
            mappings.subs = list->counters[1];
            result = 1;
        }
    }
    if (list == &read_now)
        free_list(&read_now);
    return result;
}

bool libleak_mappings_known(void)
{
    return mappings.ranges != NULL;
}

int libleak_mappings_count(void)
{
    return mappings.segment_count;
}

struct libleak_mapping *libleak_mappings_get(int index)
{
    if (index < 0 || index >= mappings.segment_count)
        return NULL;
    return &mappings.segments[index].mapping;
}

int libleak_mappings_find(uint64_t pc)
{
    for (int i = 0; i < mappings.retired_count; i++)
        if (pc >= mappings.retired_starts[i] && pc < mappings.retired_ends[i])
            return -1;
    const struct range *r = &mappings.ranges[mappings.last_range];
    if (pc >= r->start && pc < r->limit)
        return r->mapping;
    int low = libleak_entries_up_to(mappings.ranges, mappings.segment_count, sizeof mappings.ranges[0],
                                    offsetof(struct range, start), pc);
    if (low == 0 || pc >= mappings.ranges[low - 1].limit)
        return -1;
    mappings.last_range = low - 1;
    return mappings.ranges[low - 1].mapping;
}

int libleak_mappings_object_count(void)
{
    return mappings.object_count;
}

const struct libleak_object *libleak_mappings_object(int index)
{
    return &mappings.objects[index];
}

int libleak_mappings_object_of(int mapping)
{
    return mappings.segments[mapping].object;
}
