/*
 * suppressions — see suppressions.h. Only lost stacks are symbolized for it: a program that
 * leaks nothing pays for no lookup.
 */
#include "gate/suppressions.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "dump/symbols.h"
#include "os/descriptors.h"

struct suppressions {
    char **patterns;
    size_t count;
};

static struct suppressions user_suppressions;

void libleak_gate_suppressions_load(void)
{
    if (!libleak_config.suppressions[0])
        return;
    int fd = libleak_open_high(libleak_config.suppressions, O_RDONLY, 0); /* never 0-2 */
    FILE *file = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!file) {
        if (fd >= 0)
            close(fd);
        libleak_log_report("LIBLEAK_SUPPRESSIONS=\"%s\" cannot be opened; no suppressions",
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
            libleak_log_report("%s:%lu: expected 'leak:PATTERN', got '%s'; line ignored",
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
bool libleak_gate_builtin_suppressed(const struct libleak_stack *stack)
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

bool libleak_gate_user_suppressed(const struct libleak_stack *stack, uint32_t depth)
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
