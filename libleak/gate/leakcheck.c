/*
 * leakcheck — the leak gate of LIBLEAK_CHECK=1 (leakcheck.h).
 *
 * The program's exit status: our __libc_start_main registers the loader's finalizer through
 * on_exit(3), which is told the status, so at the check we know whether the program itself
 * failed (a failed program keeps its status), however exit() was reached.
 *
 * The check runs from libleak's ELF destructor: preloaded, libleak.so was initialised before the
 * program and every library it loads that does not depend on libleak, so _dl_fini runs our
 * destructor after theirs; and _dl_fini itself runs after every atexit handler and C++ static
 * destructor, which were registered after it. Only libleak's own dependencies (libc, libdw, ...)
 * are finalised after us. The process's exit status cannot be changed once exit() has started,
 * so a failing check flushes stdio (what exit would do next) and ends the process with _exit.
 *
 * Only the stacks of reported blocks are symbolized: a program that leaks nothing pays for the
 * scan and nothing else.
 */
#include "gate/leakcheck.h"

#include <dlfcn.h>
#include <link.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "core/config.h"
#include "os/descriptors.h"
#include "dump/dump.h"
#include "core/export.h"
#include "core/log.h"
#include "alloc/modules.h"
#include "dump/profile_writer.h"
#include "gate/reach.h"
#include "gate/roots.h"
#include "alloc/stacks.h"
#include "dump/symbols.h"
#include "alloc/thread.h"
#include "alloc/track.h"

/* ---- the program's exit status ---- */

static _Atomic int program_status = -1; /* -1: unknown (exit() has not started) */
static void (*real_rtld_fini)(void);

typedef int (*start_main_function)(int (*)(int, char **, char **), int, char **, void (*)(void),
                                   void (*)(void), void (*)(void), void *);

/* Runs where the loader's _dl_fini would have run (it is registered in its place), with the
   status exit() was given: by the program, by main's return or by libc itself. */
static void record_status_then_finalize(int status, void *unused)
{
    (void)unused;
    atomic_store(&program_status, status & 0xff);
    real_rtld_fini();
}

EXPORT int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv, void (*init)(void),
                             void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
    start_main_function real = (start_main_function)dlsym(RTLD_NEXT, "__libc_start_main");
    /* glibc registers rtld_fini (the loader's _dl_fini, which runs every ELF destructor, ours
       included) with __cxa_atexit before the program's constructors run. We register it
       ourselves at the same place in the exit sequence, through on_exit, which hands us the
       status. No frame of ours stays between libc and main. */
    if (libleak_config.check && rtld_fini && on_exit(record_status_then_finalize, NULL) == 0) {
        real_rtld_fini = rtld_fini;
        rtld_fini = NULL;
    }
    return real(main, argc, argv, init, fini, rtld_fini, stack_end);
}

/* ---- where the report goes ---- */

/* Many programs close stderr on their way out (coreutils' close_stdout, xz): the report would be
   lost exactly when it matters. In gate mode we keep a close-on-exec copy of fd 2 at a high
   number and write there when fd 2 itself is no longer the file it was at start. */
static int saved_stderr = -1;

static void report_line(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void report_line(const char *format, ...)
{
    int fd = libleak_log_is_stderr(2) ? 2 : libleak_log_is_stderr(saved_stderr) ? saved_stderr : -1;
    if (fd < 0)
        return;
    va_list args;
    va_start(args, format);
    libleak_log_to(fd, format, args);
    va_end(args);
}

void libleak_check_init(void)
{
    if (!libleak_config.check)
        return;
    libleak_roots_init();
    if (libleak_log_is_stderr(2))
        saved_stderr = fcntl(2, F_DUPFD_CLOEXEC, 1000);
}

/* ---- loss records ---- */

enum loss_class { DEFINITELY, INDIRECTLY, POSSIBLY, REACHABLE, CLASSES };

static const char *const class_words[CLASSES] = {"definitely lost", "indirectly lost", "possibly lost",
                                                 "still reachable"};

struct loss_record {
    uint32_t stack;
    uint32_t shown_depth; /* frames without libc's start-up code (memcheck: --show-below-main=no) */
    uint8_t class;
    bool suppressed;
    uint64_t bytes, blocks;
};

struct totals {
    uint64_t bytes, blocks;
};

static struct {
    bool ran;
    struct libleak_reach_result result;
    struct loss_record *records;
    size_t record_count;
    bool prepared;
    struct totals classes[CLASSES];
    struct totals suppressed;
    char comments[4][160];
} gate;

static enum loss_class class_of(uint8_t state)
{
    switch (state) {
    case LIBLEAK_UNREACHED: return DEFINITELY;
    case LIBLEAK_INDIRECT: return INDIRECTLY;
    case LIBLEAK_POSSIBLE: return POSSIBLY;
    default: return REACHABLE;
    }
}

static int by_class_and_stack(const void *a, const void *b)
{
    const struct loss_record *x = a, *y = b;
    if (x->class != y->class)
        return x->class < y->class ? -1 : 1;
    return x->stack < y->stack ? -1 : x->stack > y->stack;
}

static int largest_first(const void *a, const void *b)
{
    const struct loss_record *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    if (x->blocks != y->blocks)
        return x->blocks > y->blocks ? -1 : 1;
    if (x->class != y->class)
        return x->class < y->class ? -1 : 1;
    return x->stack < y->stack ? -1 : x->stack > y->stack;
}

/* Groups the lost blocks (one record per class and allocation stack) and counts the rest. */
static void build_records(void)
{
    const struct libleak_reach_result *r = &gate.result;
    size_t lost = 0;
    for (size_t i = 0; i < r->count; i++) {
        enum loss_class class = class_of(r->blocks[i].state);
        if (class == REACHABLE) {
            gate.classes[REACHABLE].bytes += r->blocks[i].size;
            gate.classes[REACHABLE].blocks++;
        } else {
            lost++;
        }
    }
    if (!lost)
        return;
    struct loss_record *all = malloc(lost * sizeof *all);
    if (!all)
        return;
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++) {
        enum loss_class class = class_of(r->blocks[i].state);
        if (class != REACHABLE)
            all[n++] = (struct loss_record){.stack = r->blocks[i].stack,
                                            .class = (uint8_t) class,
                                            .bytes = r->blocks[i].size,
                                            .blocks = 1};
    }
    qsort(all, n, sizeof *all, by_class_and_stack);
    size_t groups = 0;
    for (size_t i = 0; i < n; i++) {
        if (groups && all[groups - 1].class == all[i].class && all[groups - 1].stack == all[i].stack) {
            all[groups - 1].bytes += all[i].bytes;
            all[groups - 1].blocks++;
        } else {
            all[groups++] = all[i];
        }
    }
    qsort(all, groups, sizeof *all, largest_first);
    gate.records = all;
    gate.record_count = groups;
}

/* ---- suppressions ---- */

struct suppressions {
    char **patterns;
    size_t count;
};

static struct suppressions user_suppressions;

static void load_suppressions(void)
{
    if (!libleak_config.suppressions[0])
        return;
    int fd = libleak_open_high(libleak_config.suppressions, O_RDONLY, 0); /* never 0-2 */
    FILE *file = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!file) {
        if (fd >= 0)
            close(fd);
        report_line("LIBLEAK_SUPPRESSIONS=\"%s\" cannot be opened; no suppressions",
                    libleak_config.suppressions);
        return;
    }
    char *line = NULL;
    size_t size = 0;
    unsigned long number = 0;
    while (getline(&line, &size, file) >= 0) {
        number++;
        char *text = line;
        while (*text == ' ' || *text == '\t')
            text++;
        size_t length = strlen(text);
        while (length && (text[length - 1] == '\n' || text[length - 1] == ' ' || text[length - 1] == '\t' ||
                          text[length - 1] == '\r'))
            text[--length] = '\0';
        if (!*text || *text == '#')
            continue;
        char *glob = text + 5;
        while (*glob == ' ' || *glob == '\t')
            glob++;
        if (strncmp(text, "leak:", 5) != 0 || !*glob) {
            report_line("%s:%lu: expected 'leak:PATTERN', got '%s'; line ignored",
                        libleak_config.suppressions, number, text);
            continue;
        }
        char **grown = realloc(user_suppressions.patterns, (user_suppressions.count + 1) * sizeof *grown);
        char *copy = strdup(glob);
        if (!grown || !copy) {
            free(copy);
            if (grown)
                user_suppressions.patterns = grown;
            break;
        }
        user_suppressions.patterns = grown;
        user_suppressions.patterns[user_suppressions.count++] = copy;
    }
    free(line);
    fclose(file);
}

static bool matches_any(const char *text)
{
    if (!text)
        return false;
    for (size_t p = 0; p < user_suppressions.count; p++)
        if (fnmatch(user_suppressions.patterns[p], text, 0) == 0)
            return true;
    return false;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The built-in list: what glibc keeps until exit on purpose, where our roots cannot see the
   pointer. Blocks the dynamic loader allocates itself (a thread's DTV and dynamic TLS, kept in
   glibc's cache of thread stacks after the thread exits; dlopen's bookkeeping): the
   allocation's caller is in ld.so. */
static bool builtin_suppressed(const struct libleak_stack *stack)
{
    if (stack->depth == 0)
        return false;
    struct libleak_line lines[LIBLEAK_MAX_INLINE];
    int mapping = -1;
    libleak_symbols_lookup(stack->frames[0] - 1, false, lines, LIBLEAK_MAX_INLINE, &mapping);
    if (mapping < 0)
        return false;
    const char *name = base_name(libleak_symbols_mapping(mapping)->path);
    return fnmatch("ld-linux*.so*", name, 0) == 0 || fnmatch("ld-*.so*", name, 0) == 0;
}

static bool user_suppressed(const struct libleak_stack *stack, uint32_t depth)
{
    if (!user_suppressions.count)
        return false;
    for (uint32_t f = 0; f < depth; f++) {
        struct libleak_line lines[LIBLEAK_MAX_INLINE];
        int mapping = -1;
        int count = libleak_symbols_lookup(stack->frames[f] - 1, true, lines, LIBLEAK_MAX_INLINE, &mapping);
        for (int i = 0; i < count; i++)
            if (matches_any(lines[i].function) || matches_any(lines[i].system_name))
                return true;
        if (mapping >= 0) {
            const char *path = libleak_symbols_mapping(mapping)->path;
            if (matches_any(path) || matches_any(base_name(path)))
                return true;
        }
    }
    return false;
}

static void format_count(char *out, size_t size, uint64_t value)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)value);
    size_t used = 0;
    for (int i = 0; i < n && used + 1 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0 && used + 2 < size)
            out[used++] = ',';
        out[used++] = digits[i];
    }
    out[used] = '\0';
}

/* The frames of a stack without libc's start-up code below main (or below a thread's start
   function): memcheck does not show it either (--show-below-main=no). Decided from the
   mappings alone, without symbolizing: looking up a pc in libc is what costs, because with
   libc's debug information installed (libc6-dbg) libdwfl then reads and inflates its
   compressed DWARF, about 0.1 s, and stripped programs have no "main" to stop at. A stack ends
   [..., main, __libc_start_call_main, __libc_start_main_impl, _start] or
   [..., thread function, start_thread, clone3]: drop a last frame in the program after libc
   frames (_start), then every trailing frame in libc. */
static bool in_libc(uintptr_t return_address)
{
    struct libleak_line lines[1];
    int mapping = -1;
    libleak_symbols_lookup(return_address - 1, false, lines, 1, &mapping);
    if (mapping < 0)
        return false;
    const char *path = libleak_symbols_mapping(mapping)->path;
    const char *slash = strrchr(path, '/');
    return strncmp(slash ? slash + 1 : path, "libc.so", 7) == 0;
}

static uint32_t depth_without_start_code(const struct libleak_stack *stack)
{
    uint32_t depth = stack->depth;
    if (depth >= 3 && !in_libc(stack->frames[depth - 1]) && in_libc(stack->frames[depth - 2]))
        depth--;
    while (depth > 1 && in_libc(stack->frames[depth - 1]))
        depth--;
    return depth;
}

/* Decides the suppressions (symbolizing only lost stacks) and the totals. Runs once: inside the
   .leaks profile's sample walk (under the dump lock, so no snapshot symbolizes meanwhile) or,
   when no profile is written, after the last dump. */
static void prepare(void)
{
    if (gate.prepared)
        return;
    gate.prepared = true;
    libleak_symbols_refresh();
    load_suppressions();
    for (size_t i = 0; i < gate.record_count; i++) {
        struct loss_record *record = &gate.records[i];
        const struct libleak_stack *stack = libleak_stacks_get(record->stack);
        record->shown_depth = stack ? depth_without_start_code(stack) : 0;
        record->suppressed =
                stack && (builtin_suppressed(stack) || user_suppressed(stack, record->shown_depth));
        struct totals *totals = record->suppressed ? &gate.suppressed : &gate.classes[record->class];
        totals->bytes += record->bytes;
        totals->blocks += record->blocks;
    }
    for (int c = 0; c < 4; c++) {
        char bytes[32], blocks[32];
        const struct totals *t = c < 3 ? &gate.classes[c] : &gate.suppressed;
        format_count(bytes, sizeof bytes, t->bytes);
        format_count(blocks, sizeof blocks, t->blocks);
        snprintf(gate.comments[c], sizeof gate.comments[c], "leak check: %s: %s bytes in %s blocks",
                 c < 3 ? class_words[c] : "suppressed", bytes, blocks);
    }
}

static void for_each_leak(void *context, void (*emit)(const struct libleak_profile_sample *, void *),
                          void *emit_context)
{
    (void)context;
    prepare();
    for (size_t i = 0; i < gate.record_count; i++) {
        const struct loss_record *record = &gate.records[i];
        const struct libleak_stack *stack = libleak_stacks_get(record->stack);
        if (record->suppressed || !stack)
            continue;
        struct libleak_profile_sample sample = {stack->frames,
                                                record->shown_depth,
                                                {(int64_t)record->blocks, (int64_t)record->bytes,
                                                 (int64_t)record->blocks, (int64_t)record->bytes},
                                                -1};
        emit(&sample, emit_context);
    }
}

/*
 * Where the program's part of the exiting thread's stack begins. The check runs deep inside
 * exit(): below the frame that called exit() lie the exit machinery's frames (libc's, the
 * loader's, ours) over memory that earlier, deeper calls used, our own sampling frames among
 * them. Stale words there point at blocks whose only real pointer has died, and memcheck,
 * which scans only defined memory, calls such blocks lost. So the scan starts at the stack
 * pointer of exit()'s caller: the frame that called exit() explicitly (its locals are live),
 * or libc's start-up code when main returned (main's locals are dead). We unwind to it with
 * libunwind through libc's unwind tables; if that fails, the whole stack from here is scanned.
 */
static uintptr_t exit_caller_stack_pointer(uintptr_t fallback)
{
    if (libleak_loader_locked) /* a fork child: libunwind and dladdr would take the loader's lock */
        return fallback;
    void *exit_function = dlsym(RTLD_NEXT, "exit");
    Dl_info info;
    const ElfW(Sym) *symbol = NULL;
    if (!exit_function || !dladdr1(exit_function, &info, (void **)&symbol, RTLD_DL_SYMENT) || !symbol ||
        !symbol->st_size)
        return fallback;
    uintptr_t exit_start = (uintptr_t)exit_function, exit_end = exit_start + symbol->st_size;
    unw_context_t context;
    unw_cursor_t cursor;
    if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0)
        return fallback;
    for (int depth = 0; depth < 64 && unw_step(&cursor) > 0; depth++) {
        unw_word_t ip = 0;
        unw_get_reg(&cursor, UNW_REG_IP, &ip);
        /* A return address inside exit(): the frame above is exit()'s caller. */
        if (ip - 1 >= exit_start && ip - 1 < exit_end) {
            unw_word_t sp = 0;
            if (unw_step(&cursor) <= 0 || unw_get_reg(&cursor, UNW_REG_SP, &sp) != 0 || sp < fallback)
                return fallback;
            return (uintptr_t)sp;
        }
    }
    return fallback;
}

void libleak_check_scan(uintptr_t scan_from)
{
    if (!libleak_config.check || libleak_passive || libleak_config.rate != 1 || gate.ran)
        return;
    gate.ran = true;
    libleak_enter();
    scan_from = exit_caller_stack_pointer(scan_from);
    if (!libleak_reach_scan(&gate.result, scan_from)) {
        libleak_leave();
        return;
    }
    build_records();
    if (gate.record_count) {
        /* The comments are filled by prepare(), which the profile's sample walk calls before
           the comments are written. */
        static const struct libleak_profile_source source = {for_each_leak, NULL, 0};
        const char *comments[] = {gate.comments[0], gate.comments[1], gate.comments[2], gate.comments[3],
                                  NULL};
        libleak_dump_special("leaks", &source, comments);
    }
    libleak_leave();
}

static void print_frames(const struct libleak_stack *stack, uint32_t depth)
{
    int number = 0;
    for (uint32_t f = 0; f < depth; f++) {
        uintptr_t pc = stack->frames[f] - 1;
        struct libleak_line lines[LIBLEAK_MAX_INLINE];
        int mapping = -1;
        int count = libleak_symbols_lookup(pc, libleak_config.symbolize, lines, LIBLEAK_MAX_INLINE, &mapping);
        const struct libleak_mapping *m = mapping >= 0 ? libleak_symbols_mapping(mapping) : NULL;
        if (count == 0) {
            if (m)
                report_line("   #%d 0x%lx in ?? (%s+0x%lx)", number++, (unsigned long)pc, m->path,
                            (unsigned long)(pc - m->start + m->file_offset));
            else
                report_line("   #%d 0x%lx in ??", number++, (unsigned long)pc);
            continue;
        }
        for (int i = 0; i < count; i++) {
            const char *function = lines[i].function ? lines[i].function : "??";
            if (lines[i].file)
                report_line("   #%d 0x%lx in %s %s:%lld", number++, (unsigned long)pc, function,
                            lines[i].file, (long long)lines[i].line);
            else if (m)
                report_line("   #%d 0x%lx in %s (%s+0x%lx)", number++, (unsigned long)pc, function, m->path,
                            (unsigned long)(pc - m->start + m->file_offset));
            else
                report_line("   #%d 0x%lx in %s", number++, (unsigned long)pc, function);
        }
    }
}

static void print_totals(const char *label, const struct totals *t)
{
    char bytes[32], blocks[32];
    format_count(bytes, sizeof bytes, t->bytes);
    format_count(blocks, sizeof blocks, t->blocks);
    report_line("   %15s: %s bytes in %s blocks", label, bytes, blocks);
}

void libleak_check_finish(void)
{
    if (!gate.ran || !gate.result.blocks)
        return;
    libleak_enter();
    prepare();
    size_t reported = 0;
    for (size_t i = 0; i < gate.record_count; i++)
        reported += !gate.records[i].suppressed;
    size_t number = 0;
    for (size_t i = 0; i < gate.record_count; i++) {
        const struct loss_record *record = &gate.records[i];
        if (record->suppressed)
            continue;
        char bytes[32], blocks[32];
        format_count(bytes, sizeof bytes, record->bytes);
        format_count(blocks, sizeof blocks, record->blocks);
        report_line("%s bytes in %s blocks are %s in loss record %zu of %zu", bytes, blocks,
                    class_words[record->class], ++number, reported);
        const struct libleak_stack *stack = libleak_stacks_get(record->stack);
        if (stack)
            print_frames(stack, record->shown_depth);
        report_line("%s", "");
    }
    libleak_symbols_close_files();
    report_line("LEAK SUMMARY:");
    for (int c = 0; c < CLASSES; c++)
        print_totals(class_words[c], &gate.classes[c]);
    print_totals("suppressed", &gate.suppressed);

    uint64_t dropped =
            atomic_load(&libleak_counters.dropped_live) + atomic_load(&libleak_counters.dropped_stacks);
    if (dropped || gate.result.truncated)
        report_line("leak check: %llu allocations were not tracked (tables full: raise LIBLEAK_MAX_MEMORY or "
                    "LIBLEAK_MAX_STACKS); they were not checked",
                    (unsigned long long)dropped);

    uint64_t lost = gate.classes[DEFINITELY].bytes + gate.classes[INDIRECTLY].bytes +
                    (libleak_config.check_possible ? gate.classes[POSSIBLY].bytes : 0);
    int status = atomic_load(&program_status);
    bool failed = lost > libleak_config.check_max;
    libleak_leave();
    if (!failed || libleak_config.exitcode == 0)
        return;
    char lost_text[32];
    format_count(lost_text, sizeof lost_text, lost);
    if (status != 0) {
        report_line(
                "leak check failed: %s bytes lost (LIBLEAK_CHECK_MAX=%llu); the program's own exit status %s",
                lost_text, (unsigned long long)libleak_config.check_max,
                status < 0 ? "is unknown and is kept" : "is not 0 and is kept");
        return;
    }
    report_line("leak check failed: %s bytes lost (LIBLEAK_CHECK_MAX=%llu); exit status %d", lost_text,
                (unsigned long long)libleak_config.check_max, libleak_config.exitcode);
    fflush(NULL); /* what exit() would still do after the destructors */
    _exit(libleak_config.exitcode);
}
