/*
 * log — libleak's one line to stderr (a bad LIBLEAK_* value, a profile that could not be
 * written, the leak gate's report). The line is built whole and written with one write(2), so
 * it never interleaves with the program's own output mid-line, and only to a descriptor that is
 * still the file fd 2 was at start (log.h says why). Where the line goes is decided above this
 * layer once the dumper is set up (dump/log_destination.c: the program's stderr seen from
 * any thread, or a file when stderr is gone); before that, fd 2 itself or nothing. The gate's
 * report prefers the copy of stderr it kept at start.
 */
#include "core/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static struct stat stderr_at_start;
static bool stderr_was_open;
static int kept_stderr = -1; /* libleak_log_keep_stderr's copy of fd 2 */
static void (*line_writer)(const char *line, size_t length); /* libleak_log_set_writer's */

void libleak_log_set_writer(void (*writer)(const char *line, size_t length))
{
    line_writer = writer;
}

void libleak_log_init(void)
{
    stderr_was_open = fstat(2, &stderr_at_start) == 0;
}

bool libleak_log_is_stderr(int fd)
{
    struct stat now;
    return stderr_was_open && fd >= 0 && fstat(fd, &now) == 0 && now.st_dev == stderr_at_start.st_dev &&
           now.st_ino == stderr_at_start.st_ino;
}

/* fd < 0: the line goes to the writer, if one is set. */
static void log_to(int fd, const char *format, va_list args)
{
    char line[1024] = "libleak: ";
    size_t used = 9;
    int n = vsnprintf(line + used, sizeof line - used - 1, format, args);
    if (n < 0)
        return;
    used += (size_t)n < sizeof line - used - 1 ? (size_t)n : sizeof line - used - 2;
    line[used++] = '\n';
    if (fd < 0) {
        if (line_writer)
            line_writer(line, used);
        return;
    }
    ssize_t ignored = write(fd, line, used);
    (void)ignored;
}

void libleak_log(const char *format, ...)
{
    int fd = line_writer ? -1 : libleak_log_is_stderr(2) ? 2 : -2;
    if (fd == -2)
        return; /* before the writer is set: nowhere else to go */
    va_list args;
    va_start(args, format);
    log_to(fd, format, args);
    va_end(args);
}

void libleak_log_keep_stderr(void)
{
    if (libleak_log_is_stderr(2))
        kept_stderr = fcntl(2, F_DUPFD_CLOEXEC, 1000);
}

void libleak_log_report(const char *format, ...)
{
    int fd = libleak_log_is_stderr(kept_stderr) ? kept_stderr : -1; /* -1: the writer's way */
    if (fd < 0 && !line_writer)
        fd = libleak_log_is_stderr(2) ? 2 : -2;
    if (fd == -2)
        return;
    va_list args;
    va_start(args, format);
    log_to(fd, format, args);
    va_end(args);
}
