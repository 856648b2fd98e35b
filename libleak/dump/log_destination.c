/*
 * log_destination — where libleak's lines go.
 *
 * A line goes to the program's stderr while fd 2 is the file it was when the library started.
 * From a thread of ours, which has a descriptor table of its own (os/descriptors.h), fd 2 is
 * reached by taking a duplicate of the program's with pidfd_getfd, written and closed again:
 * our table never holds the program's stderr between lines (a program that closes it must
 * see its reader get EOF).
 *
 * When the program has closed stderr (2>&-, coreutils' close_stdout, a daemon) or put another
 * file on 2, a line written there would be lost or land in the program's file. It goes instead
 * to a log file, appended to and closed again at once:
 *
 *   DIR/libleak.PID.log   DIR being the directory of the profiles' names (LIBLEAK_OUT),
 *   /tmp/libleak.PID.log  when that directory refuses it (it may be the very failure to tell).
 *
 * The file is created with LIBLEAK_MODE (0600 by default), never through a symlink
 * (O_NOFOLLOW). docs/libleak.3 ("Messages") documents both places. Lines logged before the
 * dumper's setup (a bad LIBLEAK_* value while stderr is closed) are not kept.
 */
#include "dump/log_destination.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "dump/output_file.h"
#include "os/descriptors.h"

static bool append_to(const char *directory, size_t directory_length, const char *line, size_t length)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%.*slibleak.%d.log", (int)directory_length, directory, (int)getpid());
    if (n < 0 || (size_t)n >= sizeof path)
        return false;
    struct libleak_own_fd file;
    if (libleak_own_fd_open(&file, path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW,
                            (mode_t)libleak_config.file_mode) < 0)
        return false;
    bool written = libleak_write_checked(file.fd, line, length) == (ssize_t)length;
    libleak_own_fd_close(&file);
    return written;
}

static void write_to_file(const char *line, size_t length)
{
    char name[PATH_MAX];
    if (libleak_output_name(name, sizeof name, "log")) {
        const char *slash = strrchr(name, '/');
        if (slash && append_to(name, (size_t)(slash - name + 1), line, length))
            return;
    }
    append_to("/tmp/", 5, line, length);
}

static void write_line(const char *line, size_t length)
{
    int fd = libleak_program_descriptor(2);
    if (libleak_log_is_stderr(fd)) {
        ssize_t ignored = write(fd, line, length);
        (void)ignored;
    } else {
        write_to_file(line, length);
    }
    libleak_program_descriptor_done(2, fd);
}

void libleak_log_destination_init(void)
{
    libleak_log_set_writer(write_line);
}
