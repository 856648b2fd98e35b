/*
 * suppressions.c — reading and matching `leak:PATTERN` lines (suppressions.h).
 */
#include "reports/suppressions.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/util.h"

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

bool suppressions_load(struct suppressions *list, const char *path)
{
    memset(list, 0, sizeof *list);
    FILE *file = fopen(path, "r");
    if (!file) {
        fprintf(stderr, "leakprof: %s: cannot open: %s\n", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t size = 0;
    unsigned long number = 0;
    bool ok = true;
    while (getline(&line, &size, file) >= 0) {
        number++;
        char *text = trim(line);
        if (*text == '\0' || *text == '#')
            continue;
        if (strncmp(text, "leak:", 5) != 0 || *trim(text + 5) == '\0') {
            fprintf(stderr, "leakprof: %s:%lu: expected 'leak:PATTERN', got '%s'\n", path, number, text);
            ok = false;
            break;
        }
        list->patterns = xreallocarray(list->patterns, list->count + 1, sizeof *list->patterns);
        list->patterns[list->count++] = xstrdup(trim(text + 5));
    }
    free(line);
    fclose(file);
    if (!ok)
        suppressions_free(list);
    return ok;
}

void suppressions_free(struct suppressions *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->patterns[i]);
    free(list->patterns);
    memset(list, 0, sizeof *list);
}

const char *suppressions_match(const struct suppressions *list, const struct frame_table *frames,
                               const uint32_t *stack, uint32_t depth)
{
    for (size_t p = 0; p < list->count; p++)
        for (uint32_t i = 0; i < depth; i++)
            if (fnmatch(list->patterns[p], frame_get(frames, stack[i])->name, 0) == 0)
                return list->patterns[p];
    return NULL;
}
