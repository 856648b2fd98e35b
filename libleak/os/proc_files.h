/*
 * proc_files — the small files of /proc and /sys the library reads (statm, cgroup limits, a
 * thread's syscall line), and the path of the running program. The reads are raw: one open
 * on a descriptor >= 3 that is closed only while still ours (libleak_own_fd), one pread(2)
 * at offset 0, close; nothing allocates, so the stopped world of the gate may call them. Parsers are apart from the reads, for unit tests.
 */
#ifndef LIBLEAK_PROC_FILES_H
#define LIBLEAK_PROC_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The calling thread's view of the process's memory and program: /proc/thread-self, not
   /proc/self. /proc/self is the thread group leader's, and once main has called pthread_exit
   the leader is a zombie without memory: its maps read empty and its exe link is gone, and
   the exit profile and the gate's report lost every name (gate_main_pthread_exit). */
#define LIBLEAK_PROC_THREAD "/proc/thread-self/"

/* Reads at most size - 1 bytes of path into buffer and NUL-terminates them. Returns the
   length, or -1 (errno set) when the file could not be opened or read. */
ssize_t libleak_read_small_file(const char *path, char *buffer, size_t size);

/* /proc/self/statm, in bytes. */
struct libleak_statm {
    uint64_t size;     /* the address space: what RLIMIT_AS counts */
    uint64_t resident;
    uint64_t data;     /* private writable mappings, heap and stack: what RLIMIT_DATA counts */
};

/* Parses statm's text (pages) with the given page size. False when it is not statm's. */
bool libleak_statm_parse(const char *text, uint64_t page_size, struct libleak_statm *statm);

/* Reads and parses /proc/self/statm. */
bool libleak_statm_read(struct libleak_statm *statm);

/* The path of the running program (the target of /proc/self/exe), NUL-terminated; false when
   it cannot be read or does not fit. */
bool libleak_program_path(char *buffer, size_t size);

/* The name of the file on the process's descriptor fd (the target of /proc/self/fd/FD: a path,
   or "pipe:[N]", "socket:[N]"), NUL-terminated; false when it cannot be read or does not fit. */
bool libleak_descriptor_name(int fd, char *buffer, size_t size);

#endif
