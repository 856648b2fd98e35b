/*
 * proc_tasks — see proc_tasks.h.
 */
#include "os/proc_tasks.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "os/descriptors.h"
#include "os/proc_files.h"

bool libleak_tasks_list(bool (*visit)(pid_t tid, void *context), void *context)
{
    int fd = libleak_open_high("/proc/self/task", O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return false;
    char buffer[4096];
    bool more = true;
    long n;
    while (more && (n = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0) {
        for (long offset = 0; offset < n && more;) {
            struct dirent64 *entry = (struct dirent64 *)(buffer + offset);
            offset += entry->d_reclen;
            if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
                continue;
            pid_t tid = 0;
            for (const char *d = entry->d_name; *d; d++)
                tid = tid * 10 + (*d - '0');
            more = visit(tid, context);
        }
    }
    close(fd);
    return true;
}

/* /proc/self/task/TID/LEAF, without snprintf: it may allocate for some formats, and stays out
   of a stopped world. */
static void task_path(char *out, size_t size, pid_t tid, const char *leaf)
{
    char digits[16];
    int n = 0;
    unsigned value = (unsigned)tid;
    do
        digits[n++] = (char)('0' + value % 10);
    while ((value /= 10) && n < 15);
    size_t used = 0;
    const char *prefix = "/proc/self/task/";
    while (*prefix && used < size - 1)
        out[used++] = *prefix++;
    while (n && used < size - 1)
        out[used++] = digits[--n];
    if (used < size - 1)
        out[used++] = '/';
    while (*leaf && used < size - 1)
        out[used++] = *leaf++;
    out[used] = '\0';
}

static bool task_read(pid_t tid, const char *leaf, char *buffer, size_t size)
{
    char path[64];
    task_path(path, sizeof path, tid, leaf);
    return libleak_read_small_file(path, buffer, size) >= 0;
}

bool libleak_task_name(pid_t tid, char *buffer, size_t size)
{
    return task_read(tid, "comm", buffer, size);
}

bool libleak_status_blocks_signal(const char *status, int signal_number)
{
    const char *line = strstr(status, "SigBlk:");
    if (!line)
        return false;
    line += 7;
    while (*line == ' ' || *line == '\t')
        line++;
    const char *end = line;
    while ((*end >= '0' && *end <= '9') || (*end >= 'a' && *end <= 'f'))
        end++;
    int bit = signal_number - 1; /* bit 0 (last hex digit) is signal 1 */
    const char *digit = end - 1 - bit / 4;
    if (digit < line)
        return false;
    int value = *digit <= '9' ? *digit - '0' : *digit - 'a' + 10;
    return (value >> (bit % 4)) & 1;
}

bool libleak_task_blocks_signal(pid_t tid, int signal_number)
{
    char status[4096];
    return task_read(tid, "status", status, sizeof status) &&
           libleak_status_blocks_signal(status, signal_number);
}

static bool field_number(const char *status, const char *name, uint64_t *value)
{
    const char *line = strstr(status, name);
    if (!line)
        return false;
    line += strlen(name);
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line < '0' || *line > '9')
        return false;
    uint64_t number = 0;
    while (*line >= '0' && *line <= '9')
        number = number * 10 + (uint64_t)(*line++ - '0');
    *value = number;
    return true;
}

bool libleak_status_switches(const char *status, uint64_t *switches)
{
    uint64_t voluntary, involuntary;
    if (!field_number(status, "\nvoluntary_ctxt_switches:", &voluntary) ||
        !field_number(status, "\nnonvoluntary_ctxt_switches:", &involuntary))
        return false;
    *switches = voluntary + involuntary;
    return true;
}

bool libleak_task_switches(pid_t tid, uint64_t *switches)
{
    char status[4096];
    return task_read(tid, "status", status, sizeof status) && libleak_status_switches(status, switches);
}

bool libleak_stat_is_alive(const char *stat)
{
    /* "tid (name) state ...": the name may hold parentheses itself */
    const char *paren = strrchr(stat, ')');
    return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

bool libleak_task_alive(pid_t tid)
{
    char stat[256];
    return task_read(tid, "stat", stat, sizeof stat) && libleak_stat_is_alive(stat);
}

bool libleak_syscall_line_parse(const char *text, struct libleak_syscall_line *line)
{
    if (strncmp(text, "running", 7) == 0)
        return false;
    /* the stack pointer is the second last field */
    const char *fields[12];
    int count = 0;
    for (const char *p = text; *p && count < 12;) {
        while (*p == ' ' || *p == '\n')
            p++;
        if (!*p)
            break;
        fields[count++] = p;
        while (*p && *p != ' ' && *p != '\n')
            p++;
    }
    if (count < 3)
        return false;
    line->in_call = fields[0][0] != '-';
    line->number = 0;
    for (const char *d = fields[0]; *d >= '0' && *d <= '9'; d++)
        line->number = line->number * 10 + (*d - '0');
    const char *sp = fields[count - 2];
    if (sp[0] != '0' || sp[1] != 'x')
        return false;
    uintptr_t value = 0;
    for (sp += 2; (*sp >= '0' && *sp <= '9') || (*sp >= 'a' && *sp <= 'f'); sp++)
        value = value * 16 + (uintptr_t)(*sp <= '9' ? *sp - '0' : *sp - 'a' + 10);
    line->stack_pointer = value;
    return true;
}

bool libleak_task_syscall(pid_t tid, struct libleak_syscall_line *line)
{
    char text[512];
    return task_read(tid, "syscall", text, sizeof text) && libleak_syscall_line_parse(text, line);
}
