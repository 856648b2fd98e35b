/*
 * libleak: the wrapper that runs a program under libleak.so.
 *
 *   libleak [--check] [--rate N] [--out TEMPLATE] [--] PROGRAM [ARGS...]
 *   libleak -p PID [--rate N] [--out TEMPLATE] [--dump | --detach] [--verbose]   (attach.c)
 *
 * It finds its own libleak.so (next to itself, as build/libleak finds build/libleak.so, or in
 * ../lib when installed as PREFIX/bin/libleak), puts it in front of LD_PRELOAD, sets the
 * LIBLEAK_* variables its options name and execs PROGRAM: the program's exit status, and the
 * leak gate's, reach the caller unchanged because no process of ours is left in between.
 *
 * Written in C rather than sh so that the library is found from the executable's real path
 * (/proc/self/exe), whatever the directory it is run from, the symlinks to it and $0.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"

#ifndef LIBLEAK_VERSION
#define LIBLEAK_VERSION "unknown"
#endif

/* The status of a wrapper that failed before running anything, as env(1) and timeout(1). */
enum { STATUS_USAGE = 2, STATUS_OWN_FAILURE = 125, STATUS_CANNOT_RUN = 126, STATUS_NOT_FOUND = 127 };

static const char usage_text[] =
        "usage: libleak [--check] [--rate N] [--out TEMPLATE] [--] PROGRAM [ARGS...]\n"
        "       libleak -p PID [--rate N] [--out TEMPLATE] [--dump | --detach] [--verbose]\n"
        "Runs PROGRAM with libleak.so preloaded and passes its exit status through,\n"
        "or loads libleak.so into the running process PID (profiles count from then on).\n"
        "  --check          the leak gate: exact tracking and a reachability scan at exit\n"
        "                   (LIBLEAK_CHECK=1); a program that leaked and exited 0 exits 23\n"
        "  --rate N         mean bytes between samples (LIBLEAK_RATE; 1 = every allocation)\n"
        "  --out TEMPLATE   profile file names (LIBLEAK_OUT; %p pid, %n number, %e program)\n"
        "  -p, --pid PID    attach to a running process instead of running one\n"
        "  --dump           with -p: ask the attached process for a snapshot\n"
        "  --detach         with -p: stop profiling; the process runs on\n"
        "  --verbose        with -p: how long the attach took and stopped the thread\n"
        "  --help           this text\n"
        "  --version        the version\n"
        "Other LIBLEAK_* variables in the environment are passed on as they are (man libleak).\n";

static void usage_error(const char *message, const char *what)
{
    fprintf(stderr, "libleak: %s%s%s\n", message, what ? " " : "", what ? what : "");
    fprintf(stderr, "usage: libleak [--check] [--rate N] [--out TEMPLATE] [--] PROGRAM [ARGS...] "
                    "(libleak --help)\n");
    exit(STATUS_USAGE);
}

/* The directory of this executable, resolved through symlinks: BUFFER, or NULL. */
static char *own_directory(char *buffer, size_t size)
{
    ssize_t length = readlink("/proc/self/exe", buffer, size - 1);
    if (length <= 0)
        return NULL;
    buffer[length] = '\0';
    char *slash = strrchr(buffer, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    return buffer;
}

/* The absolute path of the libleak.so that belongs with this executable, or NULL. The build
   tree keeps both in build/; make install puts this in PREFIX/bin and the library in
   PREFIX/lib. */
static char *find_library(char path[PATH_MAX])
{
    char directory[PATH_MAX];
    if (!own_directory(directory, sizeof directory))
        return NULL;
    static const char *const candidates[] = {"/libleak.so", "/../lib/libleak.so", "/../lib64/libleak.so"};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        char joined[PATH_MAX + 32];
        snprintf(joined, sizeof joined, "%s%s", directory, candidates[i]);
        if (access(joined, R_OK) == 0 && realpath(joined, path))
            return path;
    }
    return NULL;
}

/* Whether the colon- or space-separated list LIST already names PATH. */
static int list_has(const char *list, const char *path)
{
    size_t length = strlen(path);
    for (const char *at = list; (at = strstr(at, path)) != NULL; at += length) {
        int starts = at == list || at[-1] == ':' || at[-1] == ' ';
        int ends = at[length] == '\0' || at[length] == ':' || at[length] == ' ';
        if (starts && ends)
            return 1;
    }
    return 0;
}

static void set_variable(const char *name, const char *value)
{
    if (setenv(name, value, 1) != 0) {
        fprintf(stderr, "libleak: cannot set %s: %s\n", name, strerror(errno));
        exit(STATUS_OWN_FAILURE);
    }
}

/* The value of option ARGV[*INDEX] given as "--name VALUE" or "--name=VALUE"; advances *INDEX
   past it. NULL when ARGV[*INDEX] is not NAME. */
static const char *option_value(char **argv, int argc, int *index, const char *name)
{
    const char *arg = argv[*index];
    size_t length = strlen(name);
    if (strncmp(arg, name, length) != 0)
        return NULL;
    if (arg[length] == '=')
        return arg + length + 1;
    if (arg[length] != '\0')
        return NULL;
    if (*index + 1 >= argc)
        usage_error("missing value after", name);
    *index += 1;
    return argv[*index];
}

int main(int argc, char **argv)
{
    int check = 0, index = 1, verbose = 0;
    const char *rate = NULL, *out = NULL, *value, *pid = NULL, *command = NULL;
    for (; index < argc; index++) {
        const char *arg = argv[index];
        if (strcmp(arg, "--") == 0) {
            index++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0')
            break;
        if (strcmp(arg, "--check") == 0) {
            check = 1;
        } else if ((value = option_value(argv, argc, &index, "-p")) != NULL ||
                   (value = option_value(argv, argc, &index, "--pid")) != NULL) {
            pid = value;
        } else if (strcmp(arg, "--dump") == 0 || strcmp(arg, "--detach") == 0) {
            command = arg + 2;
        } else if (strcmp(arg, "--verbose") == 0) {
            verbose = 1;
        } else if ((value = option_value(argv, argc, &index, "--rate")) != NULL) {
            if (value[0] == '\0')
                usage_error("empty value for", "--rate");
            rate = value;
        } else if ((value = option_value(argv, argc, &index, "--out")) != NULL) {
            if (value[0] == '\0')
                usage_error("empty value for", "--out");
            out = value;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(arg, "--version") == 0) {
            printf("libleak %s\n", LIBLEAK_VERSION);
            return 0;
        } else {
            usage_error("unknown option", arg);
        }
    }
    if (pid) {
        char *end;
        long number = strtol(pid, &end, 10);
        if (*end != '\0' || number <= 0 || number > INT_MAX)
            usage_error("not a process id:", pid);
        if (index < argc)
            usage_error("-p attaches to a running process: no program to run, got", argv[index]);
        if (check)
            usage_error("--check needs the program started under the library, not", "-p");
    } else if (index >= argc) {
        if (command)
            usage_error("--dump and --detach need", "-p PID");
        usage_error("no program to run", NULL);
    }

    char library[PATH_MAX];
    if (!find_library(library)) {
        char directory[PATH_MAX];
        const char *where = own_directory(directory, sizeof directory);
        fprintf(stderr, "libleak: cannot find libleak.so in %s or %s/../lib\n", where ? where : "?",
                where ? where : "?");
        return STATUS_OWN_FAILURE;
    }

    if (pid)
        return libleak_attach((pid_t)atoi(pid), library, rate, out, command, verbose);

    /* The library goes first: it forwards to the next allocator in line (RTLD_NEXT), so one
       already preloaded (jemalloc, tcmalloc) must come after it to be profiled, not before it
       to hide every allocation from it. */
    const char *preload = getenv("LD_PRELOAD");
    if (preload && preload[0] != '\0' && !list_has(preload, library)) {
        size_t size = strlen(library) + strlen(preload) + 2;
        char *joined = malloc(size);
        if (!joined) {
            fputs("libleak: out of memory\n", stderr);
            return STATUS_OWN_FAILURE;
        }
        snprintf(joined, size, "%s:%s", library, preload);
        set_variable("LD_PRELOAD", joined);
        free(joined);
    } else if (!preload || preload[0] == '\0') {
        set_variable("LD_PRELOAD", library);
    }
    if (check)
        set_variable("LIBLEAK_CHECK", "1");
    if (rate)
        set_variable("LIBLEAK_RATE", rate);
    if (out)
        set_variable("LIBLEAK_OUT", out);

    execvp(argv[index], argv + index);
    int error = errno;
    fprintf(stderr, "libleak: cannot run %s: %s\n", argv[index], strerror(error));
    return error == ENOENT || error == ENOTDIR ? STATUS_NOT_FOUND : STATUS_CANNOT_RUN;
}
