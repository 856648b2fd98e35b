/*
 * proc_maps — see proc_maps.h.
 *
 * A maps line reads "start-end perms offset dev inode   name": hexadecimal addresses, four
 * permission letters, then three fields and the optional name after a run of spaces. Lines are
 * assembled in a buffer of the reader's; a line longer than it keeps its fields and a cut
 * name, which is all any caller looks at.
 */
#include "os/proc_maps.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "os/descriptors.h"
#include "os/proc_files.h"

static const char *parse_hex(const char *p, uintptr_t *value)
{
    uintptr_t result = 0;
    const char *start = p;
    for (;; p++) {
        int digit = *p >= '0' && *p <= '9' ? *p - '0' : (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f' ? (*p | 0x20) - 'a' + 10 : -1;
        if (digit < 0)
            break;
        result = result * 16 + (uintptr_t)digit;
    }
    *value = result;
    return p == start ? NULL : p;
}

static const char *skip_field(const char *p)
{
    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    return p;
}

bool libleak_maps_parse_line(const char *line, struct libleak_maps_entry *entry)
{
    const char *p = parse_hex(line, &entry->start);
    if (!p || *p != '-')
        return false;
    p = parse_hex(p + 1, &entry->end);
    if (!p || *p != ' ' || strlen(p + 1) < 4)
        return false;
    p++;
    entry->readable = p[0] == 'r';
    entry->writable = p[1] == 'w';
    entry->executable = p[2] == 'x';
    /* the permissions, then offset, device and inode; the name is what is left */
    for (int field = 0; field < 4 && *p; field++)
        p = skip_field(p);
    entry->name = p;
    entry->anonymous = *p == '\0' || strncmp(p, "[anon:", 6) == 0;
    return true;
}

bool libleak_maps_read(bool (*visit)(const struct libleak_maps_entry *entry, void *context), void *context)
{
    int fd = libleak_open_high(LIBLEAK_PROC_THREAD "maps", O_RDONLY, 0); /* never on 0-2: descriptors.h */
    if (fd < 0)
        return false;
    char buffer[512], line[512];
    size_t line_length = 0;
    bool more = true;
    ssize_t length = 0;
    while (more && (length = read(fd, buffer, sizeof buffer)) > 0) {
        for (ssize_t i = 0; i < length && more; i++) {
            if (buffer[i] != '\n') {
                if (line_length < sizeof line - 1)
                    line[line_length++] = buffer[i];
                continue;
            }
            line[line_length] = '\0';
            line_length = 0;
            struct libleak_maps_entry entry;
            if (libleak_maps_parse_line(line, &entry))
                more = visit(&entry, context);
        }
    }
    close(fd);
    return !more || length == 0; /* stopped by visit, or read to the end */
}

struct find {
    uintptr_t address, start, end;
    bool found;
};

static bool find_visit(const struct libleak_maps_entry *entry, void *context)
{
    struct find *find = context;
    if (find->address >= entry->start && find->address < entry->end) {
        find->start = entry->start;
        find->end = entry->end;
        find->found = true;
        return false;
    }
    return entry->start <= find->address; /* lines come in address order */
}

bool libleak_maps_find(uintptr_t address, uintptr_t *start, uintptr_t *end)
{
    struct find find = {.address = address};
    if (!libleak_maps_read(find_visit, &find) || !find.found)
        return false;
    *start = find.start;
    *end = find.end;
    return true;
}
