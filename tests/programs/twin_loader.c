/*
 * twin_loader DIR: loads DIR/libtwin_first.so, keeps 10 blocks of 111 bytes allocated by it,
 * unloads it, loads DIR/libtwin_second.so (the same code under other names, usually mapped
 * where the first was) and keeps 10 blocks of 222 bytes allocated by that. A profile must never
 * name the first library's frames with the second's functions.
 *   prints "same address" or "other address" (the test skips then), exits 2 on set-up errors.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>

static void *keep[20];

static void *load(const char *directory, const char *name, const char *function, size_t size, void **kept,
                  uintptr_t *base)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        fprintf(stderr, "twin_loader: %s\n", dlerror());
        exit(2);
    }
    void *(*allocate)(size_t) = (void *(*)(size_t))dlsym(library, function);
    struct link_map *map;
    if (!allocate || dlinfo(library, RTLD_DI_LINKMAP, &map) != 0)
        exit(2);
    *base = map->l_addr;
    for (int i = 0; i < 10; i++)
        kept[i] = allocate(size);
    return library;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    uintptr_t first, second;
    dlclose(load(argv[1], "libtwin_first.so", "twin_first_outer", 111, keep, &first));
    void *library = load(argv[1], "libtwin_second.so", "twin_second_outer", 222, keep + 10, &second);
    puts(first == second ? "same address" : "other address");
    (void)library; /* stays loaded until exit, when the profile is written */
    return 0;
}
