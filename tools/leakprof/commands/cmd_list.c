/*
 * cmd_list.c — `leakprof list REGEX PROFILE...`: the annotated source of `go tool pprof
 * -list`. For each function whose name matches REGEX, each source file it has lines in,
 * the lines from five before its first line with a value to five after its last, each with
 * the flat and cum value of that line.
 *
 * The numbers follow pprof's internal/report printSource with the "lines" granularity:
 * a node per (function, file, line); flat is what stacks ending at that line hold, cum
 * what stacks passing through it hold, once per stack; nothing is trimmed. Values are
 * scaled one by one. Source files are looked up as pprof does: the path with pprof's
 * prefixes trimmed, absolute as is, relative under each directory of the search path
 * (--source-path, else the current directory) and each of their parents.
 *
 * Deliberate differences, so that the numbers are never lost (leakprof(1) says so): where
 * the file is not found pprof prints an error line and no lines; leakprof prints a note
 * and then the lines that carry values, by number, without text. Where the file is
 * shorter than the lines the profile names (the source changed since the build), pprof
 * stops at its end; leakprof goes on with the lines that carry values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands/commands.h"
#include "model/pattern.h"
#include "reports/report.h"
#include "reports/units.h"
#include "model/util.h"

#define MARGIN 5 /* pprof's lines before the first and after the last line with a value */

struct node {
    int64_t flat, cum;
    size_t seen; /* last stack (index + 1) that added to cum */
};

struct source_file {
    char **lines; /* lines[0] unused: numbering starts at 1 */
    size_t count; /* lines[1 .. count-1] exist */
    bool found;
};

/* Go's filepath.Clean, which pprof applies to the file names of a profile. */
static char *clean_path(const char *path)
{
    size_t n = strlen(path);
    if (n == 0)
        return xstrdup(".");
    bool rooted = path[0] == '/';
    char *out = xmalloc(n + 2);
    size_t used = 0;
    if (rooted)
        out[used++] = '/';
    size_t floor = used; /* ".." may not go below this */
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *end = strchrnul(p, '/');
        size_t len = (size_t)(end - p);
        if (len == 0 || (len == 1 && p[0] == '.')) {
            /* nothing */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (used > floor) {
                while (used > floor && out[used - 1] != '/')
                    used--;
                if (used > floor)
                    used--;
                /* a kept ".." cannot be undone */
            } else if (!rooted) {
                if (used > 0)
                    out[used++] = '/';
                memcpy(out + used, "..", 2);
                used += 2;
                floor = used;
            }
        } else {
            if (used > 0 && out[used - 1] != '/')
                out[used++] = '/';
            memcpy(out + used, p, len);
            used += len;
        }
        p = end;
    }
    if (used == 0)
        out[used++] = '.';
    out[used] = '\0';
    return out;
}

/* pprof's trimPath with no -trim_path: the heuristic, then /proc/self/cwd/. */
static const char *trim_path(const char *path, const char *search_path)
{
    for (const char *dir = search_path; dir && *dir;) {
        const char *end = strchrnul(dir, ':');
        const char *base = end;
        while (base > dir && base[-1] == '/')
            base--;
        const char *stop = base;
        while (base > dir && base[-1] != '/')
            base--;
        size_t len = (size_t)(stop - base);
        if (len > 0) {
            /* "/" + base + "/" somewhere in the path: keep what follows it. */
            for (const char *p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
                if (strncmp(p + 1, base, len) == 0 && p[1 + len] == '/')
                    return p + len + 2;
        }
        dir = *end ? end + 1 : end;
    }
    static const char *const prefixes[] = {"/proc/self/cwd/./", "/proc/self/cwd/"};
    for (size_t i = 0; i < 2; i++)
        if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
            return path + strlen(prefixes[i]);
    return path;
}

#define MAX_SOURCE_BYTES ((off_t)64 << 20)

/*
 * Opens a regular file of a sane size: a profile is input, and a name in it such as
 * /dev/zero or a FIFO must not make list read forever.
 */
static FILE *open_regular(const char *path)
{
    FILE *file = fopen(path, "r");
    struct stat st;
    if (file && (fstat(fileno(file), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_SOURCE_BYTES)) {
        fclose(file);
        return NULL;
    }
    return file;
}

static FILE *open_source(const char *name, const char *search_path)
{
    const char *path = trim_path(name, search_path);
    if (path[0] == '/')
        return open_regular(path);
    for (const char *dir = search_path; *dir;) {
        const char *end = strchrnul(dir, ':');
        char *d = xmalloc((size_t)(end - dir) + 1);
        memcpy(d, dir, (size_t)(end - dir));
        d[end - dir] = '\0';
        for (;;) { /* the directory, then each of its parents */
            size_t size = strlen(d) + strlen(path) + 2;
            char *candidate = xmalloc(size);
            snprintf(candidate, size, "%s/%s", d, path);
            FILE *file = open_regular(candidate);
            free(candidate);
            if (file) {
                free(d);
                return file;
            }
            char *slash = strrchr(d, '/');
            if (!slash || (slash == d && d[1] == '\0'))
                break;
            if (slash == d)
                d[1] = '\0';
            else
                *slash = '\0';
        }
        free(d);
        dir = *end ? end + 1 : end;
    }
    return NULL;
}

static void read_source(struct source_file *source, const char *name, const char *search_path)
{
    memset(source, 0, sizeof *source);
    FILE *file = open_source(name, search_path);
    if (!file)
        return;
    source->found = true;
    size_t capacity = 256;
    source->lines = xcalloc(capacity, sizeof *source->lines);
    source->count = 1;
    char *line = NULL;
    size_t size = 0;
    ssize_t n;
    while ((n = getline(&line, &size, file)) >= 0) {
        /* bufio.ScanLines: the line break and a carriage return before it go. */
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        if (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        if (source->count == capacity) {
            capacity *= 2;
            source->lines = xreallocarray(source->lines, capacity, sizeof *source->lines);
        }
        source->lines[source->count++] = xstrdup(line);
    }
    free(line);
    fclose(file);
}

static void free_source(struct source_file *source)
{
    for (size_t i = 1; i < source->count; i++)
        free(source->lines[i]);
    free(source->lines);
}

static void value_or_dot(char *out, size_t size, int64_t value, const char *unit)
{
    if (value == 0)
        snprintf(out, size, ".");
    else
        units_format(out, size, value, unit, "minimum");
}

static void print_line(int64_t flat, int64_t cum, int64_t number, const char *text, const char *unit)
{
    char f[64], c[64];
    value_or_dot(f, sizeof f, flat, unit);
    value_or_dot(c, sizeof c, cum, unit);
    printf("%10s %10s %6lld:%s\n", f, c, (long long)number, text);
}

/* The nodes of one function in one file, by line. */
struct line_value {
    int64_t line, flat, cum;
};

static int compare_line_values(const void *a, const void *b)
{
    int64_t x = ((const struct line_value *)a)->line, y = ((const struct line_value *)b)->line;
    return x < y ? -1 : x > y;
}

static void print_routine(const char *name, const char *file, struct line_value *values, size_t count,
                          int64_t total, const char *unit, const char *search_path)
{
    qsort(values, count, sizeof *values, compare_line_values);
    int64_t flat_sum = 0, cum_sum = 0;
    for (size_t i = 0; i < count; i++) {
        flat_sum = add_saturating(flat_sum, values[i].flat);
        cum_sum = add_saturating(cum_sum, values[i].cum);
    }
    char flat[64], cum[64], percent[32];
    units_format(flat, sizeof flat, flat_sum, unit, "minimum");
    units_format(cum, sizeof cum, cum_sum, unit, "minimum");
    units_percentage(percent, sizeof percent, cum_sum, total);
    printf("ROUTINE ======================== %s in %s\n", name, file);
    printf("%10s %10s (flat, cum) %s of Total\n", flat, cum, percent);

    struct source_file source;
    read_source(&source, file, search_path);
    int64_t start = values[0].line - MARGIN, end = values[count - 1].line + MARGIN;
    if (start < 1)
        start = 1;
    size_t next = 0; /* the next value not printed yet */
    if (source.found) {
        int64_t line = start;
        for (; line <= end && (size_t)line < source.count; line++) {
            int64_t f = 0, c = 0;
            for (; next < count && values[next].line <= line; next++) {
                if (values[next].line == line) {
                    f = add_saturating(f, values[next].flat);
                    c = add_saturating(c, values[next].cum);
                }
            }
            print_line(f, c, line, source.lines[line], unit);
        }
        if (next < count && values[next].line >= line)
            printf(" (%s ends at line %zu; lines past it that carry values:)\n", file, source.count - 1);
    } else {
        printf(" Source not found: %s (searched %s and their parents); lines that carry values:\n", file,
               search_path);
    }
    for (; next < count; next++)
        if (values[next].flat != 0 || values[next].cum != 0)
            print_line(values[next].flat, values[next].cum, values[next].line, "", unit);
    free_source(&source);
}

static int compare_node_ids(const void *a, const void *b, void *context)
{
    const struct frame_table *nodes = context;
    const struct frame *x = frame_get(nodes, *(const uint32_t *)a),
                       *y = frame_get(nodes, *(const uint32_t *)b);
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    c = strcmp(x->file, y->file);
    if (c)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int list(const struct report_input *in, const struct stack_list *list, const char *pattern,
                const char *search_path)
{
    regex_t re;
    char message[256];
    if (!pattern_compile(&re, pattern, message, sizeof message)) {
        fprintf(stderr, "leakprof list: bad regular expression '%s': %s\n", pattern, message);
        return 2;
    }
    int status = 0;
    /* A node per (function, clean file name, line): frames that differ only in being inlined are one. */
    struct frame_table nodes;
    frame_table_init(&nodes);
    uint32_t *node_of_frame = xcalloc(in->frames.count ? in->frames.count : 1, sizeof *node_of_frame);
    for (size_t f = 0; f < in->frames.count; f++) {
        const struct frame *frame = frame_get(&in->frames, (uint32_t)f);
        char *file = frame->file[0] ? clean_path(trim_path(frame->file, "")) : xstrdup("");
        node_of_frame[f] = frame_table_intern(&nodes, frame->name, file, frame->line, false);
        free(file);
    }
    struct node *values = xcalloc(nodes.count ? nodes.count : 1, sizeof *values);
    for (size_t s = 0; s < list->count; s++) {
        const struct weighted_stack *stack = &list->stacks[s];
        if (stack->value == 0 || stack->depth == 0)
            continue;
        for (uint32_t i = 0; i < stack->depth; i++) {
            struct node *n = &values[node_of_frame[stack->frames[i]]];
            if (n->seen != s + 1) {
                n->seen = s + 1;
                n->cum = add_saturating(n->cum, stack->value);
            }
        }
        struct node *leaf = &values[node_of_frame[stack->frames[0]]];
        leaf->flat = add_saturating(leaf->flat, stack->value);
    }
    /* The nodes of matching functions that carry a value, by function, file and line. */
    uint32_t *chosen = xcalloc(nodes.count ? nodes.count : 1, sizeof *chosen);
    size_t chosen_count = 0;
    for (uint32_t n = 0; n < nodes.count; n++) {
        const struct frame *node = frame_get(&nodes, n);
        /* A frame shown by its address names no function: pprof's node has no name to match. */
        bool unnamed = strncmp(node->name, "0x", 2) == 0 && !node->file[0] && node->line == 0;
        if ((values[n].flat != 0 || values[n].cum != 0) && !unnamed &&
            pattern_matches(&re, node->name))
            chosen[chosen_count++] = n;
    }
    regfree(&re);
    qsort_r(chosen, chosen_count, sizeof *chosen, compare_node_ids, &nodes);
    if (chosen_count == 0) {
        fprintf(stderr, "leakprof list: no matches found for regexp: %s\n", pattern);
        status = 2;
    } else {
        const char *unit = in->profile->types[in->index].unit;
        char total[64];
        units_format(total, sizeof total, list->total, unit, "minimum");
        printf("Total: %s\n", total);
        struct line_value *lines = xcalloc(chosen_count, sizeof *lines);
        for (size_t i = 0; i < chosen_count;) {
            const char *name = frame_get(&nodes, chosen[i])->name;
            size_t function_end = i;
            while (function_end < chosen_count &&
                   strcmp(frame_get(&nodes, chosen[function_end])->name, name) == 0)
                function_end++;
            bool any_file = false;
            for (size_t j = i; j < function_end;) {
                const char *file = frame_get(&nodes, chosen[j])->file;
                size_t k = j, count = 0;
                for (; k < function_end && strcmp(frame_get(&nodes, chosen[k])->file, file) == 0; k++)
                    lines[count++] = (struct line_value){frame_get(&nodes, chosen[k])->line,
                                                         values[chosen[k]].flat, values[chosen[k]].cum};
                if (file[0]) {
                    any_file = true;
                    print_routine(name, file, lines, count, list->total, unit, search_path);
                }
                j = k;
            }
            if (!any_file)
                printf("No source information for %s\n", name);
            i = function_end;
        }
        free(lines);
    }
    free(chosen);
    free(values);
    free(node_of_frame);
    frame_table_free(&nodes);
    return status;
}

int command_list(int argc, char **argv)
{
    struct options options;
    unsigned accepted = OPT_SAMPLE_INDEX | OPT_BASE | OPT_FOCUS | OPT_IGNORE | OPT_SOURCE_PATH | OPT_TAG_FILTER;
    int status =
            command_begin("list", accepted, 2, 0, "REGEX and one or more profiles", argc, argv, &options);
    if (status >= 0)
        return status;
    char cwd[4096];
    const char *search_path = options.source_path;
    if (!search_path)
        search_path = getcwd(cwd, sizeof cwd) ? cwd : ".";
    struct report_input in;
    struct stack_list stacks;
    if (!report_input_open(&in, options.files + 1, options.file_count - 1, options.base, &options) ||
        !stack_list_collect(&stacks, in.profile, in.index, in.base, &in.filter)) {
        report_input_close(&in);
        free(options.files);
        return 2;
    }
    status = list(&in, &stacks, options.files[0], search_path);
    stack_list_free(&stacks);
    report_input_close(&in);
    free(options.files);
    return status;
}
