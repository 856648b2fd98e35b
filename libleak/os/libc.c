/*
 * libc — see libc.h.
 */
#include "os/libc.h"

#include <dlfcn.h>
#include <string.h>

static bool allocator_is_glibc;

bool libleak_path_is_libc(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    /* "libc.so.6" today; "libc-2.31.so" was the file's name before glibc 2.34 */
    return strncmp(base, "libc.so", 7) == 0 ||
           (strncmp(base, "libc-", 5) == 0 && base[5] >= '0' && base[5] <= '9');
}

void libleak_libc_init(const void *real_malloc)
{
    Dl_info where;
    allocator_is_glibc = real_malloc && dladdr(real_malloc, &where) &&
                         where.dli_fname && libleak_path_is_libc(where.dli_fname);
}

bool libleak_allocator_is_glibc(void)
{
    return allocator_is_glibc;
}
