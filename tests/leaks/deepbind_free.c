/* deepbind_free: a library loaded with RTLD_DEEPBIND (plugins/deepbind_free_plugin.c, built
   beside this program) frees blocks the program allocated: 16 held in an array, then 2,000
   allocated and freed at once, one at a time (malloc hands the same address back each time),
   and the program frees a block the library allocated. Nothing is lost.
   A DEEPBIND library's malloc and free bind to libc's directly, past an LD_PRELOAD'ed
   allocator: unseen, its frees once left 16 phantom leaks, and the one address entered 2,000
   times filled its probe run ("allocations were not tracked (tables full)"). */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "corpus.h"

static void (*plugin_free)(void *);
static void *(*plugin_malloc)(size_t);

CORPUS_SITE static void free_through_plugin(void)
{
    void *blocks[16];
    for (int i = 0; i < 16; i++)
        blocks[i] = xmalloc(100 + 50 * (size_t)i);
    for (int i = 0; i < 16; i++)
        plugin_free(blocks[i]);
    memset(blocks, 0, sizeof blocks);
    for (int i = 0; i < 2000; i++)
        plugin_free(xmalloc(100));
    free(plugin_malloc(300));
}

int main(void)
{
    char path[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", path, sizeof path - 64);
    if (length <= 0)
        abort();
    path[length] = '\0';
    strcat(dirname(path), "/deepbind_free_plugin.so");
    void *plugin = dlopen(path, RTLD_NOW | RTLD_DEEPBIND);
    if (!plugin) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    plugin_free = (void (*)(void *))dlsym(plugin, "plugin_free");
    plugin_malloc = (void *(*)(size_t))dlsym(plugin, "plugin_malloc");
    if (!plugin_free || !plugin_malloc)
        abort();
    free_through_plugin();
    scrub_stack();
    return 0;
}
