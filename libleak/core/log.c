/*
 * log — libleak's one line (a bad LIBLEAK_* value, a profile that could not be written, the
 * leak gate's report). The line is built whole and written with one write(2), so it never
 * interleaves with the program's own output mid-line. Where it goes is decided above this
 * layer once the dumper is set up (dump/log_destination.c: the file LIBLEAK_OUT names, the
 * program's stderr seen from any thread, or a file when stderr is gone). Before that the
 * constructor's lines (the configuration's) are held here, so that they reach the file
 * LIBLEAK_LOG names like every later line, and a closed stderr's fallback file too.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct stat stderr_at_start;
static bool stderr_was_open;
static void (*line_writer)(const char *line, size_t length, bool report); /* libleak_log_set_writer's */

/* Lines logged before the writer is set, one after another, each after its length (a value
   in a line may hold a newline). Only the constructor logs then; what does not fit (more than
   a screenful of bad settings) is dropped. */
static char held[8192];
static size_t held_length;

void libleak_log_init(void)
{
    stderr_was_open = fstat(2, &stderr_at_start) == 0;
}

void libleak_log_set_writer(void (*writer)(const char *line, size_t length, bool report))
{
    line_writer = writer;
    for (size_t at = 0; at < held_length;) {
        uint16_t length;
        memcpy(&length, held + at, sizeof length);
        writer(held + at + sizeof length, length, false);
        at += sizeof length + length;
    }
    held_length = 0;
}

bool libleak_log_is_stderr(int fd)
{
    struct stat now;
    return stderr_was_open && fd >= 0 && fstat(fd, &now) == 0 && now.st_dev == stderr_at_start.st_dev &&
           now.st_ino == stderr_at_start.st_ino;
}

static void log_line(bool report, const char *format, va_list args)
{
    char line[1024] = "libleak: ";
    size_t used = 9;
    int n = vsnprintf(line + used, sizeof line - used - 1, format, args);
    if (n < 0)
        return;
    used += (size_t)n < sizeof line - used - 1 ? (size_t)n : sizeof line - used - 2;
    line[used++] = '\n';
    if (line_writer) {
        line_writer(line, used, report);
    } else if (held_length + sizeof(uint16_t) + used <= sizeof held) {
        uint16_t length = (uint16_t)used;
        memcpy(held + held_length, &length, sizeof length);
        memcpy(held + held_length + sizeof length, line, used);
        held_length += sizeof length + used;
    }
}

void libleak_log(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    log_line(false, format, args);
    va_end(args);
}

void libleak_log_report(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    log_line(true, format, args);
    va_end(args);
}
