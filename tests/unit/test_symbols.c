/*
 * test_symbols — libleak/dump/symbols.c against the running test itself.
 *
 * The process is its own fixture: the expected answers (this file's name, the lines of the
 * functions below, the build ID in the executable on disk, libc's getpid) are known here
 * without trusting the code under test. Built -O2 -g, so the always_inline helper really is
 * inlined and the inline chain can be checked. Uses nothing of the library but symbols.h.
 */
#include "dump/symbols.h"
#include "check.h"

#include <dlfcn.h>
#include <elf.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A string for messages: libleak_line fields may be NULL. */
static const char *text(const char *s)
{
    return s ? s : "(null)";
}

static volatile int sink;

/* The pc of the call to it, as a stack unwinder would see it (a return address minus one). */
static __attribute__((noinline)) uint64_t caller_pc(void)
{
    __asm__ volatile("" ::: "memory");
    return (uint64_t)(uintptr_t)__builtin_return_address(0) - 1;
}

static const int known_first_line = __LINE__;
static __attribute__((noinline)) uint64_t known_function(int x)
{
    uint64_t pc = caller_pc();
    sink += x; /* work after the call: no tail call, so the return address is in here */
    return pc;
}
static const int known_last_line = __LINE__;

static const int inlined_line = __LINE__ + 3;
static inline __attribute__((always_inline)) uint64_t inlined_callee(int x)
{
    uint64_t pc = caller_pc();
    sink += x;
    return pc;
}

static const int outer_line = __LINE__ + 3;
static __attribute__((noinline)) uint64_t inlined_outer(int x)
{
    uint64_t pc = inlined_callee(x);
    sink += 2 * x;
    return pc;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The GNU build ID of an ELF file on disk, read from its program headers' notes: an
   independent answer to compare the in-memory reading with. "" when there is none. */
static void file_build_id(const char *path, char *hex, size_t size)
{
    hex[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    Elf64_Ehdr ehdr;
    if (fread(&ehdr, sizeof ehdr, 1, f) != 1)
        goto out;
    for (int i = 0; i < ehdr.e_phnum; i++) {
        Elf64_Phdr phdr;
        if (fseek(f, (long)(ehdr.e_phoff + (uint64_t)i * ehdr.e_phentsize), SEEK_SET) != 0 ||
            fread(&phdr, sizeof phdr, 1, f) != 1)
            goto out;
        if (phdr.p_type != PT_NOTE || phdr.p_filesz > 1 << 20)
            continue;
        unsigned char *notes = malloc(phdr.p_filesz);
        if (!notes || fseek(f, (long)phdr.p_offset, SEEK_SET) != 0 ||
            fread(notes, 1, phdr.p_filesz, f) != phdr.p_filesz) {
            free(notes);
            goto out;
        }
        size_t align = phdr.p_align == 8 ? 8 : 4;
        for (size_t at = 0; at + sizeof(Elf64_Nhdr) <= phdr.p_filesz;) {
            Elf64_Nhdr *note = (Elf64_Nhdr *)(notes + at);
            size_t name = (note->n_namesz + align - 1) & ~(align - 1);
            size_t desc = (note->n_descsz + align - 1) & ~(align - 1);
            if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 && memcmp(note + 1, "GNU", 4) == 0 &&
                2 * note->n_descsz < size) {
                unsigned char *id = (unsigned char *)(note + 1) + name;
                for (size_t k = 0; k < note->n_descsz; k++)
                    sprintf(hex + 2 * k, "%02x", id[k]);
                free(notes);
                goto out;
            }
            at += sizeof *note + name + desc;
        }
        free(notes);
    }
out:
    fclose(f);
}

static int find_mapping_by_path(const char *part)
{
    for (int i = 0; i < libleak_symbols_mapping_count(); i++)
        if (strstr(libleak_symbols_mapping(i)->path, part))
            return i;
    return -1;
}

static void test_main_mapping(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    CHECK(n > 0, "readlink /proc/self/exe");
    exe[n > 0 ? n : 0] = '\0';

    CHECK(libleak_symbols_mapping_count() > 1, "%d mappings", libleak_symbols_mapping_count());
    struct libleak_mapping *main_mapping = libleak_symbols_mapping(0);
    CHECK(main_mapping != NULL, "no mapping 0");
    if (!main_mapping)
        return;
    CHECK(strcmp(main_mapping->path, exe) == 0, "mapping 0 is %s, not %s", main_mapping->path, exe);
    char expected[2 * 64 + 1];
    file_build_id(exe, expected, sizeof expected);
    CHECK(expected[0] != '\0', "the test binary has no build ID on disk");
    CHECK(strcmp(main_mapping->build_id, expected) == 0, "build ID %s, the file says %s",
          main_mapping->build_id, expected);
    CHECK(main_mapping->start < main_mapping->limit && main_mapping->start % 4096 == 0 &&
                  main_mapping->limit % 4096 == 0 && main_mapping->file_offset % 4096 == 0,
          "mapping 0 [%" PRIx64 ", %" PRIx64 ") offset %" PRIx64, main_mapping->start, main_mapping->limit,
          main_mapping->file_offset);
    CHECK(libleak_symbols_mapping(libleak_symbols_mapping_count()) == NULL, "index past the end");
    for (int i = 0; i < libleak_symbols_mapping_count(); i++) {
        struct libleak_mapping *m = libleak_symbols_mapping(i);
        CHECK(m->path[0] == '/' || strcmp(m->path, "[vdso]") == 0, "mapping %d path %s", i, m->path);
    }
}

/* Our mappings must say what the kernel says (pprof reads Go's from /proc/self/maps): each
   lies in an executable mapping of the same file, with the same file offset at its start. */
static void test_agrees_with_proc_maps(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    CHECK(maps != NULL, "open /proc/self/maps");
    if (!maps)
        return;
    char line[PATH_MAX + 256];
    int matched[256] = {0};
    int count = libleak_symbols_mapping_count();
    while (fgets(line, sizeof line, maps)) {
        uint64_t low, high, offset;
        char permissions[8], path[PATH_MAX] = "";
        if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %4095[^\n]", &low, &high,
                   permissions, &offset, path) < 4 ||
            !strchr(permissions, 'x'))
            continue;
        char resolved[PATH_MAX];
        for (int i = 0; i < count && i < 256; i++) {
            struct libleak_mapping *m = libleak_symbols_mapping(i);
            if (m->start < low || m->limit > high)
                continue;
            bool same_file = strcmp(m->path, "[vdso]") == 0
                                     ? strcmp(path, "[vdso]") == 0
                                     : realpath(m->path, resolved) && strcmp(resolved, path) == 0;
            CHECK(same_file, "mapping %d (%s) lies in %s", i, m->path, path);
            CHECK(m->file_offset == offset + (m->start - low),
                  "mapping %d (%s) offset %#" PRIx64 ", maps says %#" PRIx64, i, m->path, m->file_offset,
                  offset + (m->start - low));
            matched[i]++;
        }
    }
    fclose(maps);
    for (int i = 0; i < count && i < 256; i++)
        CHECK(matched[i] == 1,
              "mapping %d (%s) [%#" PRIx64 ", %#" PRIx64 ") in %d executable "
              "maps lines",
              i, libleak_symbols_mapping(i)->path, libleak_symbols_mapping(i)->start,
              libleak_symbols_mapping(i)->limit, matched[i]);
}

static void test_known_function(void)
{
    uint64_t pc = known_function(1);
    struct libleak_line lines[LIBLEAK_MAX_INLINE];
    int mapping = -2;
    int n = libleak_symbols_lookup(pc, true, lines, LIBLEAK_MAX_INLINE, &mapping);
    CHECK(mapping == 0, "known_function in mapping %d", mapping);
    CHECK(n == 1, "%d lines", n);
    if (n < 1)
        return;
    CHECK(lines[0].function && strcmp(lines[0].function, "known_function") == 0, "name %s",
          text(lines[0].function));
    CHECK(lines[0].system_name && strcmp(lines[0].system_name, "known_function") == 0, "system name %s",
          text(lines[0].system_name));
    CHECK(lines[0].file && ends_with(lines[0].file, "test_symbols.c"), "file %s", text(lines[0].file));
    CHECK(lines[0].line > known_first_line && lines[0].line < known_last_line,
          "line %" PRId64 " not in (%d, %d)", lines[0].line, known_first_line, known_last_line);

    struct libleak_mapping *m = libleak_symbols_mapping(0);
    CHECK(m->has_functions && m->has_filenames && m->has_line_numbers, "mapping 0 flags %d %d %d",
          m->has_functions, m->has_filenames, m->has_line_numbers);

    /* The second answer comes from the cache and must be the same. */
    struct libleak_line again[LIBLEAK_MAX_INLINE];
    int mapping_again = -2;
    CHECK(libleak_symbols_lookup(pc, true, again, LIBLEAK_MAX_INLINE, &mapping_again) == n &&
                  mapping_again == mapping && again[0].function == lines[0].function &&
                  again[0].line == lines[0].line,
          "cached answer differs");
    /* Without symbolization only the mapping is found. */
    CHECK(libleak_symbols_lookup(pc, false, again, LIBLEAK_MAX_INLINE, &mapping_again) == 0 &&
                  mapping_again == 0,
          "lookup without symbolize");
}

static void test_inlined(void)
{
    uint64_t pc = inlined_outer(1);
    struct libleak_line lines[LIBLEAK_MAX_INLINE];
    int mapping = -2;
    int n = libleak_symbols_lookup(pc, true, lines, LIBLEAK_MAX_INLINE, &mapping);
    CHECK(mapping == 0, "inlined_outer in mapping %d", mapping);
    CHECK(n == 2, "%d lines for an inlined call", n);
    if (n != 2)
        return;
    CHECK(lines[0].function && strcmp(lines[0].function, "inlined_callee") == 0, "innermost %s",
          text(lines[0].function));
    CHECK(lines[0].line == inlined_line, "innermost line %" PRId64 ", want %d", lines[0].line, inlined_line);
    CHECK(lines[1].function && strcmp(lines[1].function, "inlined_outer") == 0, "outer %s",
          text(lines[1].function));
    CHECK(lines[1].line == outer_line, "outer line %" PRId64 ", want %d", lines[1].line, outer_line);
    CHECK(lines[0].file && ends_with(lines[0].file, "test_symbols.c") && lines[1].file &&
                  ends_with(lines[1].file, "test_symbols.c"),
          "files");
    CHECK(libleak_symbols_mapping(0)->has_inline_frames, "has_inline_frames not set");

    /* A caller asking for one line gets the innermost. */
    CHECK(libleak_symbols_lookup(pc, true, lines, 1, &mapping) == 1 &&
                  strcmp(lines[0].function, "inlined_callee") == 0,
          "max 1");
}

static void test_libc(void)
{
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    CHECK(libc != NULL, "libc not loaded?");
    if (!libc)
        return;
    /* From dlsym, not &getpid: in a non-PIE build that could be a PLT slot in the test. */
    uint64_t pc = (uint64_t)(uintptr_t)dlsym(libc, "getpid");
    dlclose(libc);
    struct libleak_line lines[LIBLEAK_MAX_INLINE];
    int mapping = -2;
    int n = libleak_symbols_lookup(pc, true, lines, LIBLEAK_MAX_INLINE, &mapping);
    CHECK(mapping > 0 && strstr(libleak_symbols_mapping(mapping)->path, "libc"), "getpid in mapping %d (%s)",
          mapping, mapping >= 0 ? libleak_symbols_mapping(mapping)->path : "none");
    CHECK(n >= 1 && lines[n - 1].function && strstr(lines[n - 1].function, "getpid"), "getpid resolves to %s",
          n >= 1 && lines[n - 1].function ? lines[n - 1].function : "(nothing)");
    if (mapping > 0)
        CHECK(libleak_symbols_mapping(mapping)->build_id[0] != '\0', "libc has no build ID");
}

static void test_no_mapping(void)
{
    void *heap = malloc(64);
    uint64_t nowhere[] = {0, 1, 4096, (uint64_t)(uintptr_t)heap, UINT64_MAX};
    for (size_t i = 0; i < sizeof nowhere / sizeof nowhere[0]; i++) {
        struct libleak_line lines[LIBLEAK_MAX_INLINE];
        int mapping = -2;
        int n = libleak_symbols_lookup(nowhere[i], true, lines, LIBLEAK_MAX_INLINE, &mapping);
        CHECK(mapping == -1 && n == 0, "%#" PRIx64 ": mapping %d, %d lines", nowhere[i], mapping, n);
    }
    free(heap);
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One lookup per frame of every stack of a dump, so it must be cheap: the pcs here spread over
   every mapping, as real stacks do. */
static void test_speed(void)
{
    enum { PCS = 1024, LOOKUPS = 1000000 };
    static uint64_t pcs[PCS];
    int count = libleak_symbols_mapping_count();
    for (int i = 0; i < PCS; i++) {
        struct libleak_mapping *m = libleak_symbols_mapping(i % count);
        pcs[i] = m->start + ((uint64_t)i * 7919) % (m->limit - m->start);
    }
    struct libleak_line lines[LIBLEAK_MAX_INLINE];
    int mapping, found = 0;
    double start = seconds();
    for (int i = 0; i < LOOKUPS; i++) {
        libleak_symbols_lookup(pcs[i % PCS], false, lines, LIBLEAK_MAX_INLINE, &mapping);
        found += mapping >= 0;
    }
    double elapsed = seconds() - start;
    printf("test_symbols: %d lookups without symbolize over %d mappings: %.1f ms (%.1f ns each)\n", LOOKUPS,
           count, elapsed * 1e3, elapsed * 1e9 / LOOKUPS);
    CHECK(found == LOOKUPS, "%d of %d found", found, LOOKUPS);
    CHECK(elapsed < 5.0, "%.2f s", elapsed);

    start = seconds();
    for (int i = 0; i < PCS; i++)
        libleak_symbols_lookup(pcs[i], true, lines, LIBLEAK_MAX_INLINE, &mapping);
    double first = seconds() - start;
    start = seconds();
    for (int i = 0; i < LOOKUPS; i++)
        libleak_symbols_lookup(pcs[i % PCS], true, lines, LIBLEAK_MAX_INLINE, &mapping);
    elapsed = seconds() - start;
    printf("test_symbols: symbolize %d new pcs: %.1f ms; %d cached lookups: %.1f ms (%.1f ns "
           "each)\n",
           PCS, first * 1e3, LOOKUPS, elapsed * 1e3, elapsed * 1e9 / LOOKUPS);
    CHECK(elapsed < 5.0, "%.2f s", elapsed);
}

/* A library loaded after the first refresh shows up after the next one, and goes away when
   it is unloaded. Picks a library the test is not linked with (the Makefile links -lz). */
static void test_dlopen(void)
{
    static const char *const candidates[] = {"libz.so.1", "libresolv.so.2", "libcrypt.so.1"};
    const char *name = NULL;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && !name; i++) {
        void *loaded = dlopen(candidates[i], RTLD_NOW | RTLD_NOLOAD);
        if (loaded)
            dlclose(loaded);
        else
            name = candidates[i];
    }
    CHECK(name != NULL, "every candidate library is already loaded");
    if (!name)
        return;
    char stem[32];
    snprintf(stem, sizeof stem, "/%.*s", (int)(strchr(name, '.') - name), name);

    CHECK(find_mapping_by_path(stem) < 0, "%s mapped before dlopen", stem);
    int before = libleak_symbols_mapping_count();
    struct libleak_mapping *first = libleak_symbols_mapping(0);
    CHECK(libleak_symbols_refresh() == 0 && libleak_symbols_mapping(0) == first,
          "a refresh with no module change rebuilt the mappings");

    void *library = dlopen(name, RTLD_NOW);
    CHECK(library != NULL, "dlopen %s: %s", name, dlerror());
    if (!library)
        return;
    CHECK(libleak_symbols_refresh() == 0, "refresh after dlopen");
    int index = find_mapping_by_path(stem);
    CHECK(index > 0 && libleak_symbols_mapping_count() > before, "%s not among %d mappings after refresh",
          stem, libleak_symbols_mapping_count());
    if (index > 0) {
        struct libleak_mapping *m = libleak_symbols_mapping(index);
        int mapping = -2;
        libleak_symbols_lookup(m->start + (m->limit - m->start) / 2, false, NULL, 0, &mapping);
        CHECK(mapping == index, "a pc in %s found in mapping %d, not %d", stem, mapping, index);
        CHECK(m->build_id[0] != '\0', "%s has no build ID", m->path);
    }
    /* The earlier answers still come right after the module list changed. */
    struct libleak_line lines[LIBLEAK_MAX_INLINE];
    int mapping = -2;
    int n = libleak_symbols_lookup(inlined_outer(1), true, lines, LIBLEAK_MAX_INLINE, &mapping);
    CHECK(mapping == 0 && n == 2 && strcmp(lines[1].function, "inlined_outer") == 0,
          "inline chain after a refresh: mapping %d, %d lines", mapping, n);

    dlclose(library);
    void *still = dlopen(name, RTLD_NOW | RTLD_NOLOAD);
    if (still) {
        dlclose(still); /* something else holds it: the loader keeps it mapped */
    } else {
        CHECK(libleak_symbols_refresh() == 0, "refresh after dlclose");
        CHECK(find_mapping_by_path(stem) < 0, "%s still mapped after dlclose", stem);
    }
}

static atomic_bool churn_stop;

static void *churn_modules(void *name)
{
    while (!atomic_load(&churn_stop)) {
        void *library = dlopen(name, RTLD_NOW);
        if (library)
            dlclose(library);
    }
    return NULL;
}

/* Refreshing and symbolizing while other threads load and unload a library: the module list
   changes under us all the time, and every answer about our own code must stay right. */
static void test_concurrent_dlopen(void)
{
    /* One library per thread, so that each dlopen really loads and each dlclose unloads. */
    static const char *const libraries[] = {"libresolv.so.2", "libcrypt.so.1", "libBrokenLocale.so.1"};
    enum { THREADS = sizeof libraries / sizeof libraries[0] };
    pthread_t threads[THREADS];
    atomic_store(&churn_stop, false);
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, churn_modules, (void *)libraries[i]);
    int rounds = 0, wrong = 0;
    uint64_t pc = known_function(3);
    for (double end = seconds() + 0.3; seconds() < end; rounds++) {
        struct libleak_line lines[LIBLEAK_MAX_INLINE];
        int mapping = -2;
        libleak_symbols_refresh();
        int n = libleak_symbols_lookup(pc, true, lines, LIBLEAK_MAX_INLINE, &mapping);
        wrong += mapping != 0 || n != 1 || strcmp(text(lines[0].function), "known_function");
        nanosleep(&(struct timespec){0, 20000}, NULL); /* let the loaders run */
    }
    atomic_store(&churn_stop, true);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    printf("test_symbols: %d refresh+lookup rounds during dlopen/dlclose on %d threads\n", rounds, THREADS);
    CHECK(wrong == 0, "%d of %d rounds answered wrong", wrong, rounds);
}

int main(void)
{
    CHECK(libleak_symbols_refresh() == 0, "first refresh");
    test_main_mapping();
    test_agrees_with_proc_maps();
    test_known_function();
    test_inlined();
    test_libc();
    test_no_mapping();
    test_speed();
    test_dlopen();
    test_concurrent_dlopen();
    return check_result("test_symbols");
}
