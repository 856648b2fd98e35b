/*
 * fd_list: what the program sees in its descriptor table (/proc/self/fd: each number and the
 * file it names), at main and again in an atexit handler, printed to stdout. Under libleak the
 * lists must be those of the bare run: no descriptor of the library's is ever the program's to
 * see, count or close.
 *   fd_list list         the two lists
 *   fd_list close-wait   closes stderr, then sleeps 3 s: a reader of that stderr must see EOF
 *                        at once, not when the process exits
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void list(const char *when)
{
    DIR *directory = opendir("/proc/self/fd");
    if (!directory) {
        printf("%s: cannot open /proc/self/fd\n", when);
        return;
    }
    int own = dirfd(directory);
    struct dirent *entry;
    while ((entry = readdir(directory))) {
        if (entry->d_name[0] == '.' || atoi(entry->d_name) == own)
            continue;
        char path[300], target[4096];
        snprintf(path, sizeof path, "/proc/self/fd/%s", entry->d_name);
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        printf("%s: %s -> %s\n", when, entry->d_name, target);
    }
    closedir(directory);
}

static void at_exit(void)
{
    list("atexit");
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "close-wait")) {
        close(2);
        struct timespec three = {3, 0};
        while (nanosleep(&three, &three) != 0)
            ;
        return 0;
    }
    free(malloc(64));
    list("main");
    atexit(at_exit);
    return 0;
}
