/*
 * descriptor_victim: closes every descriptor above stderr, opens as many files as it may (up to
 * 1100; under `ulimit -n 64`, about 60), then allocates through assembly code that has no unwind
 * tables and keeps a pointer to a fresh heap page in %rbp. An unwinder that meets such a frame
 * falls back to the frame-pointer chain and must check the memory %rbp points at; libunwind
 * 1.6 did that by writing a byte of it into a pipe it had opened once, and read one back, on
 * whatever descriptors now carry those numbers. Every file must keep its offset and size.
 *   descriptor_victim   prints "ok FILES"; exits 14 when a file was read or written by someone
 *                       else, 2 when it could not set itself up.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "call_with_rbp.h"

enum { MOST_FILES = 1100, PAGES = 64 };
static int files[MOST_FILES];

int main(void)
{
    signal(SIGPIPE, SIG_DFL);
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 2;
    int count = MOST_FILES;
    if (limit.rlim_cur < (rlim_t)count + 8)
        count = (int)limit.rlim_cur - 8;
    for (int fd = 3; fd < (int)limit.rlim_cur && fd < 65536; fd++)
        close(fd);
    static const char content[] = "the program's own data\n";
    for (int i = 0; i < count; i++) {
        char name[32];
        snprintf(name, sizeof name, "file%04d", i);
        files[i] = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (files[i] < 0 || write(files[i], content, sizeof content - 1) != (ssize_t)sizeof content - 1 ||
            lseek(files[i], 0, SEEK_SET) != 0)
            return 2;
    }
    /* Fake frame records, one per page, so that each call asks for a page not checked before. */
    char *pages = calloc(PAGES + 1, 4096);
    if (!pages)
        return 2;
    for (int round = 0; round < 4; round++)
        for (int i = 0; i < PAGES; i++) {
            uintptr_t record = ((uintptr_t)pages + 4096 * (uintptr_t)(i + 1)) & ~(uintptr_t)4095;
            free(call_with_rbp(record, round % 2 ? 24 : 1 << 20));
        }
    for (int i = 0; i < count; i++) {
        struct stat status;
        if (lseek(files[i], 0, SEEK_CUR) != 0 || fstat(files[i], &status) != 0 ||
            status.st_size != (off_t)sizeof content - 1) {
            fprintf(stderr, "descriptor_victim: file%04d (fd %d) was read or written: offset %lld, size %lld\n", i,
                    files[i], (long long)lseek(files[i], 0, SEEK_CUR), (long long)status.st_size);
            return 14;
        }
    }
    printf("ok %d\n", count);
    return 0;
}
