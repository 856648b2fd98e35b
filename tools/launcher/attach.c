/*
 * attach — `libleak -p PID`: libleak.so loaded into a running process (docs/ATTACH.md).
 *
 * Read from /proc/PID/maps: where libc is (no libc: a static program, refused), whether
 * libleak.so is there already (preloaded, or from an earlier attach), and the code ranges where
 * a borrowed thread may hold a lock (inject.c). dlopen's and __errno_location's addresses are
 * libc's load base plus the symbols' values in its .dynsym, read from the file the process
 * mapped (/proc/PID/map_files, or /proc/PID/root/PATH): the right file even in another mount
 * namespace. One thread is borrowed (inject.c) to call, in order: __errno_location (its errno
 * is put back at the end), dlopen of the library (dlerror on failure), and
 * libleak_attach_start or libleak_attach_command.
 *
 * Where the process does not see our file at our path (another mount namespace, a chroot), the
 * library is copied to
 * /tmp/libleak-attach-DEV-INODE.so in its root (through /proc/PID/root) and that path loaded; its
 * own dependencies (libdw, libunwind, ...) must be there too, or dlopen says which is missing.
 */
#include "attach.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inject.h"
#include "process/attach.h"

enum { STATUS_REFUSED = 1 };

struct module {
    char path[PATH_MAX];
    uintptr_t start, end; /* the mapping of file offset 0 */
    bool found;
};

struct process_map {
    struct module libc, libdl, libleak;
    bool loader; /* ld.so is mapped: a dynamically linked program */
    size_t mappings; /* 0: the process is exiting (its memory is gone) */
    struct inject_range unsafe[64]; /* code where a borrowed thread may hold a lock */
    size_t unsafe_count;
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool named(const char *path, const char *prefix)
{
    const char *name = base_name(path);
    return strncmp(name, prefix, strlen(prefix)) == 0 && strstr(name, ".so") != NULL;
}

static bool is_libleak(const char *path)
{
    return named(path, "libleak.so") || named(path, "libleak-attach-");
}

static void note_module(struct module *module, const char *path, uintptr_t start, uintptr_t end, unsigned long offset)
{
    if (module->found || offset != 0)
        return;
    snprintf(module->path, sizeof module->path, "%s", path);
    module->start = start;
    module->end = end;
    module->found = true;
}

/* 0, or -1 with errno (ENOENT: no such process). */
static int read_map(pid_t pid, struct process_map *map)
{
    memset(map, 0, sizeof *map);
    char name[64];
    snprintf(name, sizeof name, "/proc/%d/maps", pid);
    FILE *file = fopen(name, "re");
    if (!file)
        return -1;
    char line[PATH_MAX + 128];
    while (fgets(line, sizeof line, file)) {
        unsigned long start, end, offset;
        char permissions[8], path[PATH_MAX] = "";
        if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095[^\n]", &start, &end, permissions, &offset, path) < 4)
            continue;
        map->mappings++;
        if (path[0] != '/')
            continue;
        bool libc = named(path, "libc.so") || named(path, "libc-"), libleak = is_libleak(path);
        bool loader = named(path, "ld-linux") || named(path, "ld-"), pthread = named(path, "libpthread");
        if (libc)
            note_module(&map->libc, path, start, end, offset);
        map->loader |= loader;
        if (named(path, "libdl.so") || named(path, "libdl-"))
            note_module(&map->libdl, path, start, end, offset);
        if (libleak)
            note_module(&map->libleak, path, start, end, offset);
        if ((libc || libleak || loader || pthread) && permissions[2] == 'x' &&
            map->unsafe_count < sizeof map->unsafe / sizeof map->unsafe[0])
            map->unsafe[map->unsafe_count++] = (struct inject_range){start, end};
    }
    fclose(file);
    return 0;
}

/* Opens the module's file as the process sees it. */
static int open_module(pid_t pid, const struct module *module)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "/proc/%d/map_files/%lx-%lx", pid, (unsigned long)module->start,
             (unsigned long)module->end);
    int file = open(path, O_RDONLY | O_CLOEXEC);
    if (file >= 0)
        return file;
    snprintf(path, sizeof path, "/proc/%d/root%s", pid, module->path);
    return open(path, O_RDONLY | O_CLOEXEC);
}

/* The address of the dynamic symbol `name` in the module as loaded, or 0. */
static uintptr_t module_symbol(pid_t pid, const struct module *module, const char *name)
{
    int file = open_module(pid, module);
    if (file < 0)
        return 0;
    struct stat status;
    uintptr_t address = 0;
    void *image = MAP_FAILED;
    if (fstat(file, &status) == 0 && (size_t)status.st_size >= sizeof(Elf64_Ehdr))
        image = mmap(NULL, (size_t)status.st_size, PROT_READ, MAP_PRIVATE, file, 0);
    close(file);
    if (image == MAP_FAILED)
        return 0;
    size_t size = (size_t)status.st_size;
    const unsigned char *bytes = image;
    const Elf64_Ehdr *header = image;
    if (memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 || header->e_ident[EI_CLASS] != ELFCLASS64 ||
        header->e_shoff + (size_t)header->e_shnum * sizeof(Elf64_Shdr) > size ||
        header->e_phoff + (size_t)header->e_phnum * sizeof(Elf64_Phdr) > size)
        goto done;
    const Elf64_Phdr *segments = (const Elf64_Phdr *)(bytes + header->e_phoff);
    uintptr_t first_load = UINTPTR_MAX;
    for (size_t i = 0; i < header->e_phnum; i++)
        if (segments[i].p_type == PT_LOAD && segments[i].p_vaddr < first_load)
            first_load = segments[i].p_vaddr & ~(uintptr_t)0xfff;
    const Elf64_Shdr *sections = (const Elf64_Shdr *)(bytes + header->e_shoff);
    for (size_t i = 0; i < header->e_shnum && !address; i++) {
        if (sections[i].sh_type != SHT_DYNSYM || sections[i].sh_link >= header->e_shnum)
            continue;
        const Elf64_Shdr *strings = &sections[sections[i].sh_link];
        if (sections[i].sh_offset + sections[i].sh_size > size || strings->sh_offset + strings->sh_size > size)
            continue;
        const Elf64_Sym *symbols = (const Elf64_Sym *)(bytes + sections[i].sh_offset);
        for (size_t j = 0; j < sections[i].sh_size / sizeof *symbols; j++) {
            if (symbols[j].st_shndx == SHN_UNDEF || symbols[j].st_value == 0 || symbols[j].st_name >= strings->sh_size)
                continue;
            const char *candidate = (const char *)bytes + strings->sh_offset + symbols[j].st_name;
            size_t room = strings->sh_size - symbols[j].st_name;
            if (strnlen(candidate, room) == room || strcmp(candidate, name) != 0)
                continue;
            address = module->start - first_load + symbols[j].st_value;
            break;
        }
    }
done:
    munmap(image, size);
    return address;
}

/* Whether the process's executable names a program interpreter (ld.so): dynamically linked. */
static bool executable_is_dynamic(pid_t pid)
{
    char name[64];
    snprintf(name, sizeof name, "/proc/%d/exe", pid);
    int file = open(name, O_RDONLY | O_CLOEXEC);
    if (file < 0)
        return false;
    Elf64_Ehdr header;
    bool dynamic = false;
    if (pread(file, &header, sizeof header, 0) == sizeof header && memcmp(header.e_ident, ELFMAG, SELFMAG) == 0)
        for (size_t i = 0; i < header.e_phnum && !dynamic; i++) {
            Elf64_Phdr segment;
            if (pread(file, &segment, sizeof segment, (off_t)(header.e_phoff + i * sizeof segment)) != sizeof segment)
                break;
            dynamic = segment.p_type == PT_INTERP;
        }
    close(file);
    return dynamic;
}

/* Whether the process was started with libleak.so in LD_PRELOAD. */
static bool preloaded(pid_t pid)
{
    char name[64];
    snprintf(name, sizeof name, "/proc/%d/environ", pid);
    FILE *file = fopen(name, "re");
    if (!file)
        return false;
    char entry[8192];
    bool found = false;
    size_t length = 0;
    int c;
    while ((c = getc(file)) != EOF) {
        if (c != '\0' && length < sizeof entry - 1) {
            entry[length++] = (char)c;
            continue;
        }
        entry[length] = '\0';
        length = 0;
        if (strncmp(entry, "LD_PRELOAD=", 11) == 0 && strstr(entry, "libleak"))
            found = true;
    }
    fclose(file);
    return found;
}

/* A refusal that the process's own exit may have caused (its files and memory vanish as it
   exits) is said as the exit. */
static bool exited_meanwhile(pid_t pid)
{
    struct process_map map;
    if (inject_thread_gone(pid) || read_map(pid, &map) != 0 || map.mappings == 0) {
        fprintf(stderr, "libleak: process %d exited during the attach\n", pid);
        return true;
    }
    return false;
}

/* The path by which the process can dlopen our library (see the top comment), or NULL. */
static const char *library_for(pid_t pid, const char *library, char *copy, size_t size)
{
    char root[64], seen[PATH_MAX + 64];
    snprintf(root, sizeof root, "/proc/%d/root", pid);
    snprintf(seen, sizeof seen, "%s%s", root, library);
    struct stat theirs, file;
    if (stat(library, &file) != 0)
        return NULL;
    if (stat(seen, &theirs) == 0 && theirs.st_dev == file.st_dev && theirs.st_ino == file.st_ino)
        return library; /* the process sees our file at our path */
    snprintf(copy, size, "/tmp/libleak-attach-%lx-%lx.so", (unsigned long)file.st_dev, (unsigned long)file.st_ino);
    char target[PATH_MAX + 64], temporary[PATH_MAX + 96];
    snprintf(target, sizeof target, "%s%s", root, copy);
    if (access(target, R_OK) == 0)
        return copy;
    snprintf(temporary, sizeof temporary, "%s.%d", target, (int)getpid());
    int in = open(library, O_RDONLY | O_CLOEXEC);
    int out = in < 0 ? -1 : open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    bool written = out >= 0;
    char buffer[65536];
    ssize_t got;
    while (written && (got = read(in, buffer, sizeof buffer)) > 0)
        written = write(out, buffer, (size_t)got) == got;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        written = false;
    if (!written || rename(temporary, target) != 0) {
        if (exited_meanwhile(pid)) {
            unlink(temporary);
            return NULL;
        }
        fprintf(stderr, "libleak: cannot copy libleak.so into the process's mount namespace (%s): %s\n", target,
                strerror(errno));
        unlink(temporary);
        return NULL;
    }
    return copy;
}

/* The settings string: --rate and --out, then every LIBLEAK_* variable of our environment. */
static char *settings_text(const char *rate, const char *out)
{
    extern char **environ;
    size_t size = 64 + (rate ? strlen(rate) : 0) + (out ? strlen(out) + PATH_MAX : 0);
    for (char **variable = environ; *variable; variable++)
        if (strncmp(*variable, "LIBLEAK_", 8) == 0)
            size += strlen(*variable) + 1;
    char *text = malloc(size), *at = text;
    if (!text)
        return NULL;
    text[0] = '\0';
    if (rate)
        at += sprintf(at, "LIBLEAK_RATE=%s\n", rate);
    if (out) {
        /* A relative template is the caller's, not the process's working directory. */
        char directory[PATH_MAX];
        if (out[0] != '/' && getcwd(directory, sizeof directory))
            at += sprintf(at, "LIBLEAK_OUT=%s/%s\n", directory, out);
        else
            at += sprintf(at, "LIBLEAK_OUT=%s\n", out);
    }
    for (char **variable = environ; *variable; variable++) {
        if (strncmp(*variable, "LIBLEAK_", 8) != 0 || strchr(*variable, '\n') ||
            strncmp(*variable, "LIBLEAK_CHECK=", 14) == 0 || /* the gate needs the whole run */
            (rate && strncmp(*variable, "LIBLEAK_RATE=", 13) == 0) || (out && strncmp(*variable, "LIBLEAK_OUT=", 12) == 0))
            continue;
        at += sprintf(at, "%s\n", *variable);
    }
    return text;
}

static int64_t now_nanos(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static int say_injection_error(pid_t pid, enum inject_error error)
{
    switch (error) {
    case INJECT_OK: return 0;
    case INJECT_GONE: fprintf(stderr, "libleak: process %d exited during the attach\n", pid); break;
    case INJECT_DENIED: {
        char name[64], line[256];
        long tracer = 0;
        snprintf(name, sizeof name, "/proc/%d/status", pid);
        FILE *status = fopen(name, "re");
        while (status && fgets(line, sizeof line, status))
            if (sscanf(line, "TracerPid: %ld", &tracer) == 1)
                break;
        if (status)
            fclose(status);
        if (tracer > 0)
            fprintf(stderr, "libleak: process %d is already traced by process %ld (a debugger?): ptrace refused\n", pid,
                    tracer);
        else
            fprintf(stderr,
                    "libleak: not allowed to trace process %d (ptrace: %s): it belongs to another user, or the sysctl "
                    "kernel.yama.ptrace_scope forbids it; run as its user with kernel.yama.ptrace_scope=0, or with "
                    "CAP_SYS_PTRACE\n",
                    pid, strerror(EPERM));
        break;
    }
    case INJECT_BUSY:
        fprintf(stderr, "libleak: could not stop a thread of process %d at a safe place within 2 s\n", pid);
        break;
    case INJECT_CRASHED:
        fprintf(stderr, "libleak: the call injected into process %d faulted; its registers are restored\n", pid);
        break;
    case INJECT_STUCK:
        fprintf(stderr, "libleak: the call injected into process %d did not return within 10 s; it may be stuck\n", pid);
        break;
    case INJECT_UNSUPPORTED:
        fprintf(stderr, "libleak: -p is not supported on this architecture (x86-64 only)\n");
        break;
    case INJECT_FAILED: fprintf(stderr, "libleak: ptrace on process %d failed: %s\n", pid, strerror(errno)); break;
    }
    return STATUS_REFUSED;
}

static int say_answer(pid_t pid, const char *command, int answer, bool verbose)
{
    switch (answer) {
    case LIBLEAK_ATTACH_DONE:
        if (verbose || !command)
            fprintf(stderr, "libleak: %s process %d\n",
                    !command ? "attached to" : strcmp(command, "dump") == 0 ? "snapshot asked of" : "detached from",
                    pid);
        return 0;
    case LIBLEAK_ATTACH_DONE_NO_SIGNAL:
        fprintf(stderr, "libleak: attached to process %d; it handles the snapshot signal itself: use libleak -p %d --dump\n",
                pid, pid);
        return 0;
    case LIBLEAK_ATTACH_ALREADY:
        fprintf(stderr, "libleak: process %d: already attached (libleak -p %d --detach ends it)\n", pid, pid);
        return STATUS_REFUSED;
    case LIBLEAK_ATTACH_NOT_ATTACHED:
        fprintf(stderr, "libleak: process %d: not attached\n", pid);
        return STATUS_REFUSED;
    case LIBLEAK_ATTACH_PRELOADED:
        fprintf(stderr, "libleak: process %d runs under LD_PRELOAD=libleak.so already: it is being profiled "
                        "(kill -USR2 %d for a snapshot)\n", pid, pid);
        return STATUS_REFUSED;
    case LIBLEAK_ATTACH_REFUSED:
        fprintf(stderr, "libleak: process %d refused the request (its stderr says why)\n", pid);
        return STATUS_REFUSED;
    default:
        fprintf(stderr, "libleak: process %d: libleak.so could not start (its stderr says why)\n", pid);
        return STATUS_REFUSED;
    }
}

/* The answer of a start under way on the library's thread: libleak_attach_state, read from the
   process's memory until it changes (10 s at most); -1 when the process exited meanwhile. */
static int await_start(pid_t pid, uintptr_t state_address)
{
    char name[64];
    snprintf(name, sizeof name, "/proc/%d/mem", pid);
    int memory = state_address ? open(name, O_RDONLY | O_CLOEXEC) : -1;
    int state = LIBLEAK_ATTACH_CANNOT_START;
    for (int i = 0; memory >= 0 && i < 10000; i++) {
        if (pread(memory, &state, sizeof state, (off_t)state_address) != sizeof state) {
            state = LIBLEAK_ATTACH_CANNOT_START;
            break;
        }
        if (state != LIBLEAK_ATTACH_STARTING)
            break;
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
    if (memory >= 0)
        close(memory);
    if (state != LIBLEAK_ATTACH_DONE && state != LIBLEAK_ATTACH_DONE_NO_SIGNAL && exited_meanwhile(pid))
        return -1;
    if (state == LIBLEAK_ATTACH_STARTING) {
        fprintf(stderr, "libleak: process %d: the library's start has not ended after 10 s\n", pid);
        state = LIBLEAK_ATTACH_CANNOT_START;
    }
    return state;
}

int libleak_attach(pid_t pid, const char *library, const char *rate, const char *out, const char *command,
                   bool verbose)
{
    int64_t began = now_nanos();
    struct process_map map;
    if (pid <= 0 || read_map(pid, &map) != 0) {
        if (pid > 0 && errno != ENOENT && errno != ESRCH)
            return say_injection_error(pid, INJECT_DENIED);
        fprintf(stderr, "libleak: no process with pid %d\n", (int)pid);
        return STATUS_REFUSED;
    }
    if (map.mappings == 0 && exited_meanwhile(pid))
        return STATUS_REFUSED;
    if (!map.libc.found && (map.loader || executable_is_dynamic(pid))) { /* caught in execve or in ld.so */
        fprintf(stderr, "libleak: process %d has not loaded libc.so yet (starting?): try again\n", pid);
        return STATUS_REFUSED;
    }
    if (!map.libc.found) {
        if (exited_meanwhile(pid))
            return STATUS_REFUSED;
        fprintf(stderr, "libleak: process %d has no libc.so mapped (a static program?): libleak -p needs a "
                        "dynamically linked program\n", pid);
        return STATUS_REFUSED;
    }
    if (map.libleak.found && preloaded(pid))
        return say_answer(pid, command, LIBLEAK_ATTACH_PRELOADED, verbose);
    if (command && !map.libleak.found)
        return say_answer(pid, command, LIBLEAK_ATTACH_NOT_ATTACHED, verbose);
    uintptr_t open_function = 0, error_function = 0, errno_function = module_symbol(pid, &map.libc, "__errno_location");
    char copy[PATH_MAX];
    const char *path = library;
    if (!map.libleak.found) {
        const struct module *loader = &map.libc;
        open_function = module_symbol(pid, loader, "dlopen");
        if (!open_function && map.libdl.found)
            open_function = module_symbol(pid, loader = &map.libdl, "dlopen");
        if (!open_function) {
            if (exited_meanwhile(pid))
                return STATUS_REFUSED;
            fprintf(stderr, "libleak: process %d has no dlopen to call (glibc before 2.34 without libdl loaded): "
                            "cannot attach\n", pid);
            return STATUS_REFUSED;
        }
        error_function = module_symbol(pid, loader, "dlerror");
        path = library_for(pid, library, copy, sizeof copy);
        if (!path)
            return STATUS_REFUSED;
    }
    char *settings = command ? NULL : settings_text(rate, out);
    if (!command && !settings) {
        fputs("libleak: out of memory\n", stderr);
        return STATUS_REFUSED;
    }

    struct inject_thread *thread;
    enum inject_error error = inject_stop(pid, map.unsafe, map.unsafe_count, &thread);
    if (error != INJECT_OK) {
        free(settings);
        return say_injection_error(pid, error);
    }
    uint64_t errno_address = 0;
    int saved_errno = 0;
    bool errno_known = errno_function && inject_call(thread, errno_function, NULL, 0, NULL, 0, &errno_address) == INJECT_OK &&
                       inject_read(thread, errno_address, &saved_errno, sizeof saved_errno) == 0;
    uint64_t result = 0;
    int status = 0, answer = -1;
    int64_t open_nanos = 0, entry_nanos = 0, mark = now_nanos();
    if (!map.libleak.found) {
        uint64_t arguments[] = {INJECT_DATA, RTLD_NOW | RTLD_LOCAL};
        error = inject_call(thread, open_function, arguments, 2, path, strlen(path) + 1, &result);
        if (error == INJECT_OK && result == 0) {
            char reason[512] = "unknown";
            uint64_t message = 0;
            if (error_function && inject_call(thread, error_function, NULL, 0, NULL, 0, &message) == INJECT_OK && message) {
                inject_read(thread, message, reason, sizeof reason - 1); /* may stop short: NUL-ended below */
                reason[sizeof reason - 1] = '\0';
            }
            fprintf(stderr, "libleak: dlopen of %s failed in process %d: %s\n", path, pid, reason);
            status = STATUS_REFUSED;
        }
        if (error == INJECT_OK && status == 0 && read_map(pid, &map) != 0)
            error = INJECT_GONE;
        open_nanos = now_nanos() - mark;
    }
    if (error == INJECT_OK && status == 0) {
        uintptr_t entry = module_symbol(pid, &map.libleak, command ? "libleak_attach_command" : "libleak_attach_start");
        if (!entry || !map.libleak.found) {
            fprintf(stderr, "libleak: process %d has a libleak.so without libleak_attach_start (another version?)\n", pid);
            status = STATUS_REFUSED;
        } else {
            const char *argument = command ? command : settings;
            uint64_t arguments[] = {INJECT_DATA};
            error = inject_call(thread, entry, arguments, 1, argument, strlen(argument) + 1, &result);
            answer = (int)(int32_t)result;
            entry_nanos = now_nanos() - mark - open_nanos;
        }
    }
    if (errno_known && error != INJECT_GONE)
        inject_write(thread, errno_address, &saved_errno, sizeof saved_errno);
    int call_errno = errno;
    int64_t stepping = inject_stepping(thread);
    int64_t stopped = error == INJECT_GONE ? 0 : inject_resume(thread);
    free(settings);
    errno = call_errno;
    if (error != INJECT_OK)
        return say_injection_error(pid, error);
    int64_t start_nanos = 0;
    if (answer == LIBLEAK_ATTACH_STARTING) {
        int64_t waiting = now_nanos();
        answer = await_start(pid, module_symbol(pid, &map.libleak, "libleak_attach_state"));
        start_nanos = now_nanos() - waiting;
        if (answer < 0) /* exited meanwhile: said */
            return STATUS_REFUSED;
    }
    if (verbose)
        fprintf(stderr,
                "libleak: attach took %.1f ms; the borrowed thread was stopped %.1f ms (stepping out of libc %.1f ms, "
                "dlopen %.1f ms, %s %.1f ms); the process's other threads ran on; the library's start took %.1f ms "
                "more on a thread of its own\n",
                (double)(now_nanos() - began) / 1e6, (double)(stopped - stepping) / 1e6, (double)stepping / 1e6,
                (double)open_nanos / 1e6, command ? command : "start", (double)entry_nanos / 1e6,
                (double)start_nanos / 1e6);
    if (status != 0)
        return status;
    return say_answer(pid, command, answer, verbose);
}
