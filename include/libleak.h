/*
 * libleak — the public API of the preload heap profiler.
 *
 * Nothing here is needed to profile a program: LD_PRELOAD=libleak.so is enough. Include this
 * header to write a profile at a moment of your program's choosing. The functions are declared
 * weak, so a program that uses them still links and runs without the library: check the
 * function's address first.
 *
 *     #include <libleak.h>
 *     if (libleak_dump) libleak_dump(NULL);
 *
 * Link nothing: the definitions come from libleak.so when it is preloaded.
 */
#ifndef LIBLEAK_H
#define LIBLEAK_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Writes a heap profile now, from the calling thread, and returns when the file is in place.
 * path: the file to create, or NULL for the next name from LIBLEAK_OUT. An existing file is
 * never overwritten. Returns 0 on success, -1 with errno set on failure (EEXIST, ENOENT, EACCES,
 * ENOSPC, EPERM when the library is passive in a setuid program, ...).
 */
int libleak_dump(const char *path) __attribute__((weak));

/*
 * A leak check now, while the program runs on: every other thread is stopped for the scan
 * (the caller waits for it on a thread of libleak's), then resumed; the report goes where the
 * leak gate's goes, the profile to LIBLEAK_OUT with %n = check.0001, check.0002, ...
 * Exact mode (LIBLEAK_RATE=1 or LIBLEAK_CHECK=1): memcheck's classes of every block. Sampled
 * mode: the sampled blocks that no word of the program's memory points to, as estimates.
 * Returns the bytes definitely and indirectly lost, or a negative errno value (-EPERM when the
 * library is passive, -EAGAIN when no thread can be started, -ENOTSUP when the heap cannot be
 * read in sampled mode, -ESHUTDOWN once the program exits). Not from a signal handler, nor
 * from a dl_iterate_phdr callback (the scan needs the loader's lock the caller holds).
 */
long libleak_check_now(void) __attribute__((weak));

/* The sampling rate in effect, in bytes (1 = every allocation, 0 = tracking off). */
unsigned long libleak_rate(void) __attribute__((weak));

#ifdef __cplusplus
}
#endif
#endif
