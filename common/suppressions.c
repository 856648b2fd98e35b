/*
 * suppressions — reading suppression files and matching frames (suppressions.h).
 *
 * Memory comes from malloc: in leakprof the heap, in the library the real allocator, since
 * the gate reads the file with the "inside libleak" flag set (its allocations are untracked
 * and never reported).
 */
#include "common/suppressions.h"

#include <stdlib.h>
#include <string.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static char *trim(char *text)
{
    while (is_blank(*text))
        text++;
    size_t length = strlen(text);
    while (length && is_blank(text[length - 1]))
        text[--length] = '\0';
    return text;
}

static bool add_pattern(struct libleak_suppressions *list, const char *pattern)
{
    char **grown = realloc(list->patterns, (list->count + 1) * sizeof *grown);
    if (!grown)
        return false;
    list->patterns = grown;
    list->patterns[list->count] = strdup(pattern);
    return list->patterns[list->count++] != NULL;
}

bool libleak_suppressions_read(struct libleak_suppressions *list, FILE *file, const char *path, char *error,
                               size_t error_size)
{
    *list = (struct libleak_suppressions){0};
    char *line = NULL;
    size_t size = 0;
    unsigned long number = 0;
    bool ok = true;
    while (ok && getline(&line, &size, file) >= 0) {
        number++;
        char *text = trim(line);
        if (*text == '\0' || *text == '#')
            continue;
        if (strncmp(text, "leak:", 5) != 0 || *trim(text + 5) == '\0') {
            snprintf(error, error_size, "%s:%lu: expected 'leak:PATTERN', got '%s'", path, number, text);
            ok = false;
        } else if (!add_pattern(list, trim(text + 5))) {
            snprintf(error, error_size, "%s:%lu: out of memory", path, number);
            ok = false;
        }
    }
    free(line);
    if (!ok)
        libleak_suppressions_free(list);
    return ok;
}

void libleak_suppressions_free(struct libleak_suppressions *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->patterns[i]);
    free(list->patterns);
    *list = (struct libleak_suppressions){0};
}

/*
 * The pattern is pieces of text separated by '*'. Each piece is found at its first place
 * after the previous one (the first at the start if '^' anchors it), which is never worse for
 * the pieces after it. A piece before '$' must end the text instead: LeakSanitizer looks for
 * its first place there too and then misses "a*b$" in "abxb"; we take the last.
 */
bool libleak_suppression_matches(const char *pattern, const char *text)
{
    if (!text || !*text)
        return false;
    bool anchored = *pattern == '^';
    pattern += anchored;
    bool after_star = false;
    while (*pattern) {
        if (*pattern == '*') {
            after_star = true;
            pattern++;
            continue;
        }
        size_t piece = strcspn(pattern, "*$"), left = strlen(text);
        bool here_only = anchored && !after_star; /* the first piece after '^' */
        if (pattern[piece] == '$') {
            if (piece == 0)
                return after_star || left == 0;
            if (piece > left || memcmp(text + left - piece, pattern, piece) != 0)
                return false;
            return !here_only || left == piece;
        }
        const char *found = here_only ? (strncmp(text, pattern, piece) == 0 ? text : NULL)
                                      : memmem(text, left, pattern, piece);
        if (!found)
            return false;
        text = found + piece;
        pattern += piece;
        anchored = after_star = false;
    }
    return true;
}

const char *libleak_suppressions_match_frame(const struct libleak_suppressions *list,
                                             const struct libleak_suppression_frame *frame)
{
    const char *fields[] = {frame->function, frame->linkage_name, frame->module, frame->file};
    for (size_t p = 0; p < list->count; p++)
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
            if (libleak_suppression_matches(list->patterns[p], fields[f]))
                return list->patterns[p];
    return NULL;
}
