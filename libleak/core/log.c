/*
 * log — libleak's one line to stderr (a bad LIBLEAK_* value, a profile that could not be
 * written, the leak gate's report). The line is built whole and written with one write(2), so
 * it never interleaves with the program's own output mid-line, and only to a descriptor that is
 * still the file fd 2 was at start (log.h says why): fd 2 itself, or for the gate's report a
 * copy of it kept at start, when the program has closed fd 2 since.
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

static void log_to(int fd, const char *format, va_list args)
{
    char line[1024] = "libleak: ";
    size_t used = 9;
    int n = vsnprintf(line + used, sizeof line - used - 1, format, args);
    if (n < 0)
        return;
    used += (size_t)n < sizeof line - used - 1 ? (size_t)n : sizeof line - used - 2;
    line[used++] = '\n';
    ssize_t ignored = write(fd, line, used);
    (void)ignored;
}

void libleak_log(const char *format, ...)
{
    if (!libleak_log_is_stderr(2))
        return;
    va_list args;
    va_start(args, format);
    log_to(2, format, args);
    va_end(args);
}

void libleak_log_keep_stderr(void)
{
    if (libleak_log_is_stderr(2))
        kept_stderr = fcntl(2, F_DUPFD_CLOEXEC, 1000);
}

void libleak_log_report(const char *format, ...)
{
    int fd = libleak_log_is_stderr(2) ? 2 : libleak_log_is_stderr(kept_stderr) ? kept_stderr : -1;
    if (fd < 0)
        return;
    va_list args;
    va_start(args, format);
    log_to(fd, format, args);
    va_end(args);
}
