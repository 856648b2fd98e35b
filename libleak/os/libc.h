/*
 * libc — the one answer to "is this glibc?": of a file (its libc.so.6, or libc-2.31.so on
 * older systems), and of the allocator we forward to.
 */
#ifndef LIBLEAK_LIBC_H
#define LIBLEAK_LIBC_H

#include <stdbool.h>

/* True when path (or its last component) names glibc's libc: libc.so, libc.so.6, libc-2.31.so. */
bool libleak_path_is_libc(const char *path);

/* True when the real malloc we forward to is glibc's: mallinfo2 and glibc's heap layout mean
   something only then. Decided once by libleak_libc_init, which the constructor calls with the
   real malloc (dladdr takes the loader's lock: never from a hook). */
bool libleak_allocator_is_glibc(void);
void libleak_libc_init(const void *real_malloc);

#endif
