/*
 * proc_files — see proc_files.h.
 */
#include "os/proc_files.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "os/descriptors.h"

ssize_t libleak_read_small_file(const char *path, char *buffer, size_t size)
{
    struct libleak_own_fd file; /* never on 0-2, closed only while ours: descriptors.h */
    if (libleak_own_fd_open(&file, path, O_RDONLY, 0) < 0)
        return -1;
    /* pread at 0: should the program have closed the number and reused it meanwhile, its
       file's offset does not move. */
    ssize_t length = libleak_own_fd_check(&file) ? pread(file.fd, buffer, size - 1, 0) : -1;
    libleak_own_fd_close(&file);
    if (length < 0)
        return -1;
    buffer[length] = '\0';
    return length;
}

bool libleak_statm_parse(const char *text, uint64_t page_size, struct libleak_statm *statm)
{
    /* size resident shared text lib data dt, in pages */
    unsigned long long fields[6];
    char *cursor = (char *)text;
    for (int i = 0; i < 6; i++) {
        char *end;
        fields[i] = strtoull(cursor, &end, 10);
        if (end == cursor)
            return false;
        cursor = end;
    }
    statm->size = fields[0] * page_size;
    statm->resident = fields[1] * page_size;
    statm->data = fields[5] * page_size;
    return true;
}

bool libleak_statm_read(struct libleak_statm *statm)
{
    char text[128];
    return libleak_read_small_file(LIBLEAK_PROC_THREAD "statm", text, sizeof text) > 0 &&
           libleak_statm_parse(text, (uint64_t)sysconf(_SC_PAGESIZE), statm);
}

static bool read_link(const char *path, char *buffer, size_t size)
{
    ssize_t length = readlink(path, buffer, size - 1);
    if (length <= 0 || (size_t)length >= size - 1)
        return false;
    buffer[length] = '\0';
    return true;
}

bool libleak_program_path(char *buffer, size_t size)
{
    return read_link(LIBLEAK_PROC_THREAD "exe", buffer, size);
}

bool libleak_descriptor_name(int fd, char *buffer, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, LIBLEAK_PROC_THREAD "fd/%d", fd); /* this thread's table */
    return read_link(path, buffer, size);
}
