/*
 * log_destination — where libleak's lines go.
 *
 * LIBLEAK_LOG=TEMPLATE (%p pid, %e program, %t time, %%; relative to the directory the program
 * started in, like LIBLEAK_OUT): every line goes to that file and nothing of ours to fd 2, so
 * the program's stderr stays byte for byte its own and CI collects one report per process
 * (valgrind's --log-file, LeakSanitizer's log_path). Each line is appended with one write and
 * the file closed again at once: no descriptor of ours stays open, several processes of one
 * name (no %p) interleave whole lines, and an exec under the same pid appends to what its
 * earlier image wrote. Created with LIBLEAK_MODE (0600 by default), never through a symlink
 * (O_NOFOLLOW); a file left by an earlier process with the same pid is appended to as well.
 * When it cannot be opened, one line on stderr says so and this process's lines go where they
 * would without LIBLEAK_LOG.
 *
 * Without it, a line goes to the program's stderr while fd 2 is the file it was when the
 * library started. From a thread of ours, which has a descriptor table of its own
 * (os/descriptors.h), fd 2 is reached by taking a duplicate of the program's with pidfd_getfd,
 * written and closed again: no table of ours holds the program's stderr between lines (a
 * program that closes it must see its reader get EOF).
 *
 * When the program has closed stderr (2>&-, coreutils' close_stdout, a daemon) or put another
 * file on 2, a line written there would be lost or land in the program's file. The leak
 * gate's report, written at exit, then reopens the file stderr was, by the name it had at
 * start, when that is a regular file or a terminal and the name still leads to that very file
 * (a terminal, 2>file: the person still sees it). Every other line, and the report when
 * stderr was a pipe or socket (those have no name to reopen), goes to a log file:
 *
 *   DIR/libleak.PID.log   DIR being the directory of the profiles' names (LIBLEAK_OUT),
 *   /tmp/libleak.PID.log  when that directory refuses it (it may be the very failure to tell).
 *
 * Created like LIBLEAK_LOG's file. docs/libleak.3 ("Messages") documents these places.
 */
#include "dump/log_destination.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "dump/output_file.h"
#include "os/descriptors.h"
#include "os/proc_files.h"

static atomic_int log_file_refused; /* the pid in which LIBLEAK_LOG's file could not be opened */

/* stderr at start, when it can be opened again by name (see the top). */
static char stderr_name[PATH_MAX];
static struct stat stderr_status;

/* Appends the line to path, created if need be; false (errno set) when it cannot. */
static bool append_to_path(const char *path, const char *line, size_t length)
{
    struct libleak_own_fd file;
    if (libleak_own_fd_open(&file, path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW,
                            (mode_t)libleak_config.file_mode) < 0)
        return false;
    ssize_t written = libleak_write_checked(file.fd, line, length);
    int error = written < 0 ? errno : EIO; /* a short write: the disk is full */
    libleak_own_fd_close(&file);
    errno = error;
    return written == (ssize_t)length;
}

static bool append_to(const char *directory, size_t directory_length, const char *line, size_t length)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%.*slibleak.%d.log", (int)directory_length, directory, (int)getpid());
    return n >= 0 && (size_t)n < sizeof path && append_to_path(path, line, length);
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

/* The start's stderr by its name, for the gate's report; false when it cannot be reached so. */
static bool write_to_stderr_by_name(const char *line, size_t length)
{
    if (!stderr_name[0])
        return false;
    /* O_NONBLOCK: should the name now lead to a FIFO, open must not wait for a reader. */
    struct libleak_own_fd file;
    if (libleak_own_fd_open(&file, stderr_name, O_WRONLY | O_APPEND | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, 0) < 0)
        return false;
    bool written = false;
    if (file.device == stderr_status.st_dev && file.inode == stderr_status.st_ino &&
        fcntl(file.fd, F_SETFL, O_APPEND) == 0)
        written = libleak_write_checked(file.fd, line, length) == (ssize_t)length;
    libleak_own_fd_close(&file);
    return written;
}

static void write_to_stderr(const char *line, size_t length, bool report)
{
    int fd = libleak_program_descriptor(2);
    if (libleak_log_is_stderr(fd)) {
        ssize_t ignored = write(fd, line, length);
        (void)ignored;
    } else if (!report || !write_to_stderr_by_name(line, length)) {
        write_to_file(line, length);
    }
    libleak_program_descriptor_done(2, fd);
}

/* Appends the line to LIBLEAK_LOG's file; else false, with the line saying why in note. Not
   inlined: its path buffer is gone before the note is written (the gate reports on the
   exiting thread's stack, which may be small). */
__attribute__((noinline)) static bool append_to_log_file(const char *line, size_t length, char *note, size_t size)
{
    char path[PATH_MAX];
    errno = ENAMETOOLONG;
    if (!libleak_output_expand(path, sizeof path, libleak_config.log, ""))
        snprintf(path, sizeof path, "%s", libleak_config.log);
    else if (append_to_path(path, line, length))
        return true;
    int error = errno;
    int n = snprintf(note, size, "libleak: LIBLEAK_LOG=\"%s\": cannot write %s: %s", libleak_config.log, path,
                     strerror(error));
    size_t used = n < 0 ? 0 : (size_t)n < size - 1 ? (size_t)n : size - 2;
    note[used++] = '\n';
    note[used] = '\0';
    return false;
}

/* LIBLEAK_LOG's file; false when the line must go to stderr instead. */
static bool write_to_log_file(const char *line, size_t length)
{
    if (!libleak_config.log[0] || atomic_load(&log_file_refused) == getpid())
        return false;
    char note[1024];
    if (append_to_log_file(line, length, note, sizeof note - sizeof "; libleak's lines go to stderr"))
        return true;
    if (atomic_exchange(&log_file_refused, getpid()) != getpid()) {
        strcpy(note + strlen(note) - 1, "; libleak's lines go to stderr\n");
        write_to_stderr(note, strlen(note), false);
    }
    return false;
}

static void write_line(const char *line, size_t length, bool report)
{
    if (!write_to_log_file(line, length))
        write_to_stderr(line, length, report);
}

/* A regular file, a terminal (tty, pseudo-terminal) or /dev/null: opening one again by name
   does nothing but open it. */
static bool reopens_harmlessly(const struct stat *status)
{
    if (S_ISREG(status->st_mode))
        return true;
    if (!S_ISCHR(status->st_mode))
        return false;
    unsigned int major_number = major(status->st_rdev);
    return major_number == 4 || (major_number >= 136 && major_number <= 143) || status->st_rdev == makedev(1, 3);
}

/* The name stderr has at start, kept when it can be opened again (see the top). */
static void remember_stderr_name(void)
{
    if (!libleak_descriptor_name(2, stderr_name, sizeof stderr_name) || stderr_name[0] != '/' ||
        fstat(2, &stderr_status) != 0 || !libleak_log_is_stderr(2) || !reopens_harmlessly(&stderr_status))
        stderr_name[0] = '\0';
}

void libleak_log_destination_init(void)
{
    remember_stderr_name();
    libleak_log_set_writer(write_line);
}
