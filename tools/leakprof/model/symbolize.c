/*
 * symbolize.c — names for the frames a profile left unnamed, found by build ID.
 *
 * A mapping (file name, build ID, address range, file offset) is named from the first of:
 *   1. the file at the mapping's path, only when its GNU build ID is the mapping's;
 *   2. a debug file by build ID: /usr/lib/debug/.build-id/xx/rest.debug, then each
 *      --debug-dir and LEAKPROF_DEBUG_DIRS directory DIR, as DIR/.build-id/xx/rest.debug and
 *      DIR/xx/rest.debug;
 *   3. debuginfod (DEBUGINFOD_URLS), through libdebuginfod loaded with dlopen so that
 *      leakprof runs where it is missing; its cache is libdebuginfod's own.
 * A binary in place without DWARF still names functions from its symbol table, but a debug
 * file found by 2 or 3 is preferred for its lines. A file whose build ID differs is never
 * used (that is how a profile of yesterday's build is never named with today's code).
 *
 * An address becomes an address of the ELF file as pprof computes it: pc - memory_start +
 * file_offset is the offset in the binary, and the binary's PT_LOAD headers turn it into
 * p_vaddr. A separate debug file keeps p_vaddr but not the offsets (objcopy --only-keep-debug
 * zeroes them): there, the mapping's place among the file's executable mappings
 * (code_rank; libleak writes one per executable PT_LOAD) picks the segment.
 *
 * What stayed unnamed is counted per file with the reasons, and said on stderr at exit in
 * one line, so that every command says it without knowing about it.
 */
#include "model/symbolize.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <elfutils/debuginfod.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/util.h"

bool symbolize_enabled;

#define MAX_BUILD_ID 64 /* bytes; a GNU build ID is 20 */

struct code_segment {
    uint64_t vaddr, offset, file_size, memory_size;
    bool executable;
};

/* What one (file name, build ID) resolved to. */
struct source {
    char *filename, *build_id;
    struct dwarf_file *names;       /* NULL: nothing names this file */
    struct code_segment *segments;  /* of the binary, else of the debug file */
    size_t segment_count;
    bool offsets_known;             /* the segments came from the binary itself */
    char *reasons;                  /* why nothing (or only the symbol table) named it */
    size_t unnamed;
};

static struct {
    struct source *sources;
    size_t count, capacity;
    char **debug_dirs;
    size_t debug_dir_count;
    bool environment_read;
    size_t unnamed_total, unmapped;
    bool summary_registered;
    void *debuginfod_library;
    debuginfod_client *debuginfod;
    bool debuginfod_tried;
    const char *debuginfod_problem; /* why debuginfod cannot be asked at all */
} state;

void symbolize_add_debug_dir(const char *dir)
{
    state.debug_dirs = xreallocarray(state.debug_dirs, state.debug_dir_count + 1, sizeof *state.debug_dirs);
    state.debug_dirs[state.debug_dir_count++] = xstrdup(dir);
}

static void read_environment(void)
{
    if (state.environment_read)
        return;
    state.environment_read = true;
    const char *list = getenv("LEAKPROF_DEBUG_DIRS");
    if (!list)
        return;
    char *copy = xstrdup(list), *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
        symbolize_add_debug_dir(dir);
    free(copy);
}

static void add_reason(struct source *source, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void add_reason(struct source *source, const char *format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    size_t old = source->reasons ? strlen(source->reasons) : 0;
    source->reasons = xrealloc(source->reasons, old + strlen(text) + 3);
    sprintf(source->reasons + old, "%s%s", old ? "; " : "", text);
}

/* ---- reading an ELF file's identity ---- */

/* The hex build ID of ELF, "" when it has none. */
static void build_id_hex(Elf *elf, char *hex, size_t size)
{
    const void *bytes = NULL;
    ssize_t length = dwelf_elf_gnu_build_id(elf, &bytes);
    hex[0] = '\0';
    for (ssize_t i = 0; i < length && (size_t)(2 * i + 2) < size; i++)
        sprintf(hex + 2 * i, "%02x", ((const unsigned char *)bytes)[i]);
}

/*
 * Opens PATH when it is a regular ELF file with the build ID WANTED (any when WANTED is "");
 * returns the descriptor, its PT_LOAD segments in *SEGMENTS. Else -1 and *PROBLEM says why.
 */
static int open_matching(const char *path, const char *wanted, struct code_segment **segments, size_t *count,
                         const char **problem)
{
    static char message[160];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *problem = fd < 0 && errno == ENOENT ? "no file" : "not a readable regular file";
        if (fd >= 0)
            close(fd);
        return -1;
    }
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    size_t sections;
    GElf_Ehdr header;
    if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &header)) {
        *problem = "not an ELF file";
    } else if (elf_getshdrnum(elf, &sections) != 0 || (uint64_t)st.st_size < header.e_shoff ||
               sections * (uint64_t)header.e_shentsize > (uint64_t)st.st_size - header.e_shoff) {
        *problem = "a damaged ELF file (truncated?)";
    } else {
        char hex[2 * MAX_BUILD_ID + 1];
        build_id_hex(elf, hex, sizeof hex);
        if (!*wanted || strcmp(hex, wanted) == 0) {
            *problem = NULL;
            size_t phnum = 0;
            elf_getphdrnum(elf, &phnum);
            *segments = xcalloc(phnum ? phnum : 1, sizeof **segments);
            *count = 0;
            for (size_t i = 0; i < phnum; i++) {
                GElf_Phdr p;
                if (gelf_getphdr(elf, (int)i, &p) && p.p_type == PT_LOAD)
                    (*segments)[(*count)++] = (struct code_segment){p.p_vaddr, p.p_offset, p.p_filesz,
                                                                    p.p_memsz, (p.p_flags & PF_X) != 0};
            }
        } else {
            snprintf(message, sizeof message, "build ID mismatch (the file has %s)", *hex ? hex : "none");
            *problem = message;
        }
    }
    if (elf)
        elf_end(elf);
    if (*problem) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Takes FD (an ELF of the right build ID) as the source's names; false after the reason. */
static bool use_names(struct source *source, const char *where, const char *path, int fd)
{
    const char *error = NULL;
    struct dwarf_file *names = dwarf_file_open(path, fd, &error);
    if (!names) {
        add_reason(source, "%s: unreadable by libdw (%s)", where, error ? error : "?");
        return false;
    }
    dwarf_file_close(source->names);
    source->names = names;
    return true;
}

/* ---- 2. debug directories ---- */

static bool try_debug_file(struct source *source, const char *path)
{
    struct code_segment *segments = NULL;
    size_t count = 0;
    const char *problem;
    int fd = open_matching(path, source->build_id, &segments, &count, &problem);
    if (fd < 0) {
        if (strcmp(problem, "no file") != 0)
            add_reason(source, "%s: %s", path, problem);
        return false;
    }
    if (!use_names(source, path, path, fd)) {
        free(segments);
        return false;
    }
    if (!source->offsets_known) {
        free(source->segments);
        source->segments = segments;
        source->segment_count = count;
    } else {
        free(segments);
    }
    return true;
}

static bool from_debug_dirs(struct source *source)
{
    const char *id = source->build_id;
    char path[4096];
    snprintf(path, sizeof path, "/usr/lib/debug/.build-id/%.2s/%s.debug", id, id + 2);
    if (try_debug_file(source, path))
        return true;
    for (size_t i = 0; i < state.debug_dir_count; i++) {
        snprintf(path, sizeof path, "%s/.build-id/%.2s/%s.debug", state.debug_dirs[i], id, id + 2);
        if (try_debug_file(source, path))
            return true;
        snprintf(path, sizeof path, "%s/%.2s/%s.debug", state.debug_dirs[i], id, id + 2);
        if (try_debug_file(source, path))
            return true;
    }
    return false;
}

/* ---- 3. debuginfod ---- */

typedef debuginfod_client *(*begin_function)(void);
typedef int (*find_function)(debuginfod_client *, const unsigned char *, int, char **);
typedef void (*end_function)(debuginfod_client *);
static find_function debuginfod_find;
static end_function debuginfod_stop;

/* libdebuginfod's limits, where the user set none: a server that does not answer, answers
   slowly or sends a huge file must not hold leakprof up for long. */
static void default_limits(void)
{
    setenv("DEBUGINFOD_TIMEOUT", "10", 0);               /* seconds to the first bytes */
    setenv("DEBUGINFOD_MAXTIME", "120", 0);              /* seconds for one download */
    setenv("DEBUGINFOD_MAXSIZE", "2147483648", 0);       /* bytes of one file */
}

static bool start_debuginfod(void)
{
    if (state.debuginfod_tried)
        return state.debuginfod != NULL && !state.debuginfod_problem;
    state.debuginfod_tried = true;
    const char *urls = getenv("DEBUGINFOD_URLS");
    if (!urls || !*urls) {
        state.debuginfod_problem = "debuginfod: DEBUGINFOD_URLS is not set";
        return false;
    }
    state.debuginfod_library = dlopen("libdebuginfod.so.1", RTLD_NOW | RTLD_LOCAL);
    begin_function begin = NULL;
    if (state.debuginfod_library) {
        begin = (begin_function)dlsym(state.debuginfod_library, "debuginfod_begin");
        debuginfod_find = (find_function)dlsym(state.debuginfod_library, "debuginfod_find_debuginfo");
        debuginfod_stop = (end_function)dlsym(state.debuginfod_library, "debuginfod_end");
    }
    if (!begin || !debuginfod_find || !debuginfod_stop) {
        state.debuginfod_problem = "debuginfod: libdebuginfod.so.1 cannot be loaded (Debian: libdebuginfod1)";
        return false;
    }
    default_limits();
    state.debuginfod = begin();
    if (!state.debuginfod)
        state.debuginfod_problem = "debuginfod: libdebuginfod could not start";
    return state.debuginfod != NULL;
}

static const char *debuginfod_error(int code)
{
    switch (code) {
    case ENOENT: return "not found on the servers";
    case ETIME:
    case ETIMEDOUT: return "timed out (DEBUGINFOD_TIMEOUT, DEBUGINFOD_MAXTIME)";
    case EFBIG: return "larger than DEBUGINFOD_MAXSIZE";
    default: return strerror(code);
    }
}

static bool from_debuginfod(struct source *source)
{
    if (!start_debuginfod()) {
        add_reason(source, "%s", state.debuginfod_problem);
        return false;
    }
    unsigned char id[MAX_BUILD_ID];
    size_t length = strlen(source->build_id) / 2;
    for (size_t i = 0; i < length && i < sizeof id; i++)
        sscanf(source->build_id + 2 * i, "%2hhx", &id[i]);
    char *path = NULL;
    int fd = debuginfod_find(state.debuginfod, id, (int)(length < sizeof id ? length : sizeof id), &path);
    if (fd < 0) {
        add_reason(source, "debuginfod: %s", debuginfod_error(-fd));
        /* A server that let one request time out (after libdebuginfod's retries) is not
           asked for the other files of this run: each would wait as long. */
        if (-fd == ETIME || -fd == ETIMEDOUT)
            state.debuginfod_problem = "debuginfod: not asked, an earlier request timed out";
        free(path);
        return false;
    }
    close(fd);
    /* Checked as any other file: what a server sends is not trusted either. */
    struct code_segment *segments = NULL;
    size_t count = 0;
    const char *problem;
    fd = open_matching(path, source->build_id, &segments, &count, &problem);
    bool named = false;
    if (fd < 0)
        add_reason(source, "debuginfod: the server's file: %s", problem);
    else if ((named = use_names(source, "debuginfod", path, fd)) && !source->offsets_known) {
        free(source->segments);
        source->segments = segments;
        source->segment_count = count;
        segments = NULL;
    }
    free(segments);
    free(path);
    return named;
}

/* ---- choosing the file for a mapping ---- */

static bool is_hex_build_id(const char *id)
{
    size_t n = strlen(id);
    if (n < 4 || n % 2 || n > 2 * MAX_BUILD_ID)
        return false;
    return strspn(id, "0123456789abcdef") == n;
}

static void find_names(struct source *source)
{
    const char *name = source->filename;
    bool has_id = is_hex_build_id(source->build_id);
    if (name[0] == '/') {
        const char *problem;
        int fd = open_matching(name, has_id ? source->build_id : "", &source->segments, &source->segment_count,
                               &problem);
        if (fd >= 0) {
            source->offsets_known = true;
            if (use_names(source, name, name, fd) && (dwarf_file_has_dwarf(source->names) || !has_id))
                return; /* complete, or nothing better can be found without a build ID */
            add_reason(source, "%s: the right build, without debug information", name);
        } else {
            add_reason(source, "%s: %s", name, problem);
        }
    } else {
        add_reason(source, "%s: no file", *name ? name : "(no file name)");
    }
    if (!has_id) {
        add_reason(source, "no build ID to look further");
        return;
    }
    /* Else the binary's symbol table, if any, is what there is. */
    if (!from_debug_dirs(source))
        from_debuginfod(source);
}

static void at_exit(void);

static struct source *source_for(const char *filename, const char *build_id)
{
    for (size_t i = 0; i < state.count; i++)
        if (strcmp(state.sources[i].filename, filename) == 0 && strcmp(state.sources[i].build_id, build_id) == 0)
            return &state.sources[i];
    if (state.count == state.capacity) {
        state.capacity = state.capacity ? state.capacity * 2 : 16;
        state.sources = xreallocarray(state.sources, state.capacity, sizeof *state.sources);
    }
    if (!state.summary_registered) { /* says what stayed unnamed, then frees the files */
        state.summary_registered = true;
        atexit(at_exit);
    }
    struct source *source = &state.sources[state.count++];
    *source = (struct source){.filename = xstrdup(filename), .build_id = xstrdup(build_id)};
    read_environment();
    if (elf_version(EV_CURRENT) == EV_NONE)
        add_reason(source, "libelf cannot start");
    else
        find_names(source);
    return source;
}

/* The address in the file's own ELF addresses, or false when no segment holds it. */
static bool elf_address(const struct source *source, const struct symbolize_mapping *mapping, uint64_t address,
                        uint64_t *vaddr)
{
    if (source->offsets_known) {
        uint64_t offset = address - mapping->memory_start + mapping->file_offset;
        for (size_t i = 0; i < source->segment_count; i++) {
            const struct code_segment *s = &source->segments[i];
            if (offset >= s->offset && offset - s->offset < s->file_size) {
                *vaddr = offset - s->offset + s->vaddr;
                return true;
            }
        }
    }
    /* A debug file's segments: the code_rank-th executable one, mapped from its page. */
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    int rank = 0;
    for (size_t i = 0; i < source->segment_count; i++) {
        const struct code_segment *s = &source->segments[i];
        if (!s->executable || rank++ != mapping->code_rank)
            continue;
        *vaddr = address - mapping->memory_start + (s->vaddr & ~(page - 1));
        return *vaddr >= s->vaddr && *vaddr - s->vaddr < s->memory_size;
    }
    return false;
}

/* ---- what stayed unnamed ---- */

static void print_summary(void)
{
    if (state.unnamed_total == 0)
        return;
    fprintf(stderr, "leakprof: %zu frame%s stayed unnamed:", state.unnamed_total,
            state.unnamed_total == 1 ? "" : "s");
    const char *separator = " ";
    for (size_t i = 0; i < state.count; i++) {
        const struct source *s = &state.sources[i];
        if (!s->unnamed)
            continue;
        fprintf(stderr, "%s%zu in %s (%s)", separator, s->unnamed, *s->filename ? s->filename : "(no file name)",
                s->reasons ? s->reasons : "no function there");
        separator = "; ";
    }
    if (state.unmapped)
        fprintf(stderr, "%s%zu without a mapping", separator, state.unmapped);
    fputc('\n', stderr);
}

static void release(void)
{
    for (size_t i = 0; i < state.count; i++) {
        dwarf_file_close(state.sources[i].names);
        free(state.sources[i].filename);
        free(state.sources[i].build_id);
        free(state.sources[i].segments);
        free(state.sources[i].reasons);
    }
    free(state.sources);
    for (size_t i = 0; i < state.debug_dir_count; i++)
        free(state.debug_dirs[i]);
    free(state.debug_dirs);
    if (state.debuginfod)
        debuginfod_stop(state.debuginfod);
    memset(&state, 0, sizeof state);
}

static void at_exit(void)
{
    print_summary();
    release();
}

static void count_unnamed(struct source *source)
{
    state.unnamed_total++;
    if (source)
        source->unnamed++;
    else
        state.unmapped++;
}

void symbolize_count_unmapped(void)
{
    if (!symbolize_enabled)
        return;
    if (!state.summary_registered) {
        state.summary_registered = true;
        atexit(at_exit);
    }
    count_unnamed(NULL);
}

int symbolize_address(const struct symbolize_mapping *mapping, uint64_t address, struct symbol_frame *frames,
                      int max)
{
    if (!symbolize_enabled)
        return 0;
    struct source *source = source_for(mapping->filename, mapping->build_id);
    uint64_t vaddr;
    int count = 0;
    if (source->names && elf_address(source, mapping, address, &vaddr))
        count = dwarf_file_describe(source->names, vaddr, frames, max);
    if (count == 0)
        count_unnamed(source);
    return count;
}
