/*
 * output_file — where a profile goes and how it gets there (see dump.c's top comment, "Files").
 *
 * A profile is written to an unnamed file (O_TMPFILE) in its directory and then given its
 * name with linkat, which fails rather than replace an existing file or symlink: a reader
 * never sees half a profile, and a process that dies mid-write leaves nothing behind. Where
 * the file system has no O_TMPFILE, a short hidden temporary name (.libleak.PID.N.tmp) is
 * moved into place with renameat2(RENAME_NOREPLACE), or link + unlink. Names come from
 * LIBLEAK_OUT, made absolute against the directory the program started in.
 */
#include "dump/output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "dump/log_destination.h"
#include "os/descriptors.h"
#include "os/proc_files.h"

static char start_directory[PATH_MAX];
static char program_name[256];

static void read_program_name(void)
{
    char path[PATH_MAX];
    if (!libleak_program_path(path, sizeof path)) {
        strcpy(program_name, "program");
        return;
    }
    const char *base = strrchr(path, '/');
    snprintf(program_name, sizeof program_name, "%.*s", (int)sizeof program_name - 1, base ? base + 1 : path);
}

void libleak_output_init(void)
{
    if (!getcwd(start_directory, sizeof start_directory))
        start_directory[0] = '\0';
    read_program_name();
    libleak_log_destination_init(); /* its file goes beside the profiles: names are known now */
}

bool libleak_output_expand(char *out, size_t size, const char *template, const char *sequence_text)
{
    size_t used = 0;
    if (template[0] != '/' && start_directory[0]) {
        int n = snprintf(out, size, "%s/", start_directory);
        if (n < 0 || (size_t)n >= size)
            return false;
        used = (size_t)n;
    }
    for (const char *p = template; *p && used < size; p++) {
        int n;
        if (*p != '%') {
            out[used++] = *p;
            continue;
        }
        switch (*++p) {
        case 'p': n = snprintf(out + used, size - used, "%d", (int)getpid()); break;
        case 'n': n = snprintf(out + used, size - used, "%s", sequence_text); break;
        case 'e': n = snprintf(out + used, size - used, "%s", program_name); break;
        case 't': n = snprintf(out + used, size - used, "%lld", (long long)time(NULL)); break;
        default: n = snprintf(out + used, size - used, "%%"); break;
        }
        if (n < 0 || (size_t)n >= size - used)
            return false;
        used += (size_t)n;
    }
    if (used >= size)
        return false;
    out[used] = '\0';
    return true;
}

static bool name_is_free(const char *name)
{
    struct stat status;
    return fstatat(AT_FDCWD, name, &status, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
}

bool libleak_output_special_name(char *out, size_t size, const char *special)
{
    if (!libleak_output_name(out, size, special))
        return false;
    if (!strstr(libleak_config.out, "%n"))
        return true;
    for (unsigned copy = 2; copy < 1000 && !name_is_free(out); copy++) {
        char text[64];
        snprintf(text, sizeof text, "%s.%u", special, copy);
        if (!libleak_output_name(out, size, text))
            return false;
    }
    return true; /* linkat will say "File exists" */
}

bool libleak_output_name(char *out, size_t size, const char *sequence_text)
{
    return libleak_output_expand(out, size, libleak_config.out, sequence_text);
}

bool libleak_output_numbered_name(char *out, size_t size, char *number, size_t number_size, unsigned *sequence)
{
    bool numbered = strstr(libleak_config.out, "%n") != NULL;
    for (unsigned tries = 0; tries < 100000; tries++) {
        snprintf(number, number_size, "%04u", *sequence + 1);
        if (!libleak_output_name(out, size, number))
            return false;
        ++*sequence;
        if (!numbered || name_is_free(out))
            return true;
    }
    return true; /* linkat will say "File exists" */
}

/* Moves tmp to final unless final exists (file or symlink). */
static int move_into_place(const char *tmp, const char *final)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    if (link(tmp, final) != 0)
        return -1;
    unlink(tmp);
    return 0;
}

/* Gives the unnamed file its name final, unless final exists, and only while its number still
   holds it (descriptors.h: the program may have closed the number and reused it). linkat with
   AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; through /proc it needs nothing. */
static int name_unnamed_file(const struct libleak_own_fd *file, const char *final)
{
    if (!libleak_own_fd_check(file))
        return -1;
    if (linkat(file->fd, "", AT_FDCWD, final, AT_EMPTY_PATH) == 0)
        return 0;
    if (errno == EEXIST)
        return -1;
    char proc_path[64];
    libleak_own_fd_proc_path(file, proc_path, sizeof proc_path);
    if (!libleak_own_fd_check(file))
        return -1;
    return linkat(AT_FDCWD, proc_path, AT_FDCWD, final, AT_SYMLINK_FOLLOW);
}

/* Over a file-size limit (ulimit -f) write() raises SIGXFSZ, whose default action kills the
   program. Blocked in this thread, the write fails with EFBIG instead; a SIGXFSZ our write left
   pending is taken before the old mask comes back. */
static void block_file_size_signal(sigset_t *previous)
{
    sigset_t xfsz;
    sigemptyset(&xfsz);
    sigaddset(&xfsz, SIGXFSZ);
    pthread_sigmask(SIG_BLOCK, &xfsz, previous);
}

static void restore_file_size_signal(const sigset_t *previous)
{
    sigset_t xfsz;
    sigemptyset(&xfsz);
    sigaddset(&xfsz, SIGXFSZ);
    struct timespec no_wait = {0, 0};
    if (!sigismember(previous, SIGXFSZ))
        while (sigtimedwait(&xfsz, NULL, &no_wait) == SIGXFSZ)
            ;
    pthread_sigmask(SIG_SETMASK, previous, NULL);
}

int libleak_output_write(const char *final, const struct libleak_profile_request *request)
{
    char directory[PATH_MAX];
    const char *slash = strrchr(final, '/');
    int directory_length = slash ? (int)(slash - final + 1) : 0;
    if (directory_length)
        snprintf(directory, sizeof directory, "%.*s", directory_length, final);
    else
        strcpy(directory, "./");
    mode_t mode = (mode_t)libleak_config.file_mode;

    char tmp[PATH_MAX + 64] = "";
    struct libleak_own_fd file;
    int fd = libleak_own_fd_open(&file, directory, O_TMPFILE | O_WRONLY, mode);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        /* No O_TMPFILE here: a short hidden name, unique in this process's dumps (serialised
           by dump.c's lock) and in others' (pid). */
        static unsigned attempt;
        do {
            snprintf(tmp, sizeof tmp, "%s.libleak.%d.%u.tmp", directory, (int)getpid(), attempt++);
            fd = libleak_own_fd_open(&file, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
        } while (fd < 0 && errno == EEXIST && attempt % 16 != 0);
    }
    if (fd < 0)
        return -1;
    sigset_t previous_mask;
    block_file_size_signal(&previous_mask);
    /* The gzip writer writes through libleak_write_checked: each write only while fd is ours. */
    int result = libleak_profile_write(fd, request);
    int saved_errno = errno;
    restore_file_size_signal(&previous_mask);
    if (result == 0 && !tmp[0] && name_unnamed_file(&file, final) != 0) {
        result = -1;
        saved_errno = errno;
    }
    if (libleak_own_fd_close(&file) != 0 && result == 0) {
        result = -1;
        saved_errno = errno;
    }
    if (tmp[0]) {
        if (result == 0 && move_into_place(tmp, final) != 0) {
            result = -1;
            saved_errno = errno;
        }
        if (result != 0)
            unlink(tmp);
    }
    errno = saved_errno;
    return result;
}
