/*
 * exit_status — see exit_status.h.
 *
 * Our __libc_start_main registers the loader's finalizer through on_exit(3), which is told the
 * status, so at the gate's scan we know whether the program itself failed, however exit() was
 * reached. This file interposes an entry point of libc: the unit tests link without it
 * (libleak/build.mk, LIBLEAK_ENTRY_OBJS).
 */
#include "gate/exit_status.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/config.h"
#include "core/export.h"

static _Atomic int program_status = -1; /* -1: unknown (neither exit() nor quick_exit() has started) */
static void (*real_rtld_fini)(void);

typedef int (*start_main_function)(int (*)(int, char **, char **), int, char **, void (*)(void),
                                   void (*)(void), void (*)(void), void *);

/* Runs where the loader's _dl_fini would have run (it is registered in its place), with the
   status exit() was given: by the program, by main's return or by libc itself. */
static void record_status_then_finalize(int status, void *unused)
{
    (void)unused;
    libleak_exit_status_record(status);
    real_rtld_fini();
}

EXPORT int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv, void (*init)(void),
                             void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
    start_main_function real = (start_main_function)dlsym(RTLD_NEXT, "__libc_start_main");
    /* glibc registers rtld_fini (the loader's _dl_fini, which runs every ELF destructor, ours
       included) with __cxa_atexit before the program's constructors run. We register it
       ourselves at the same place in the exit sequence, through on_exit, which hands us the
       status. No frame of ours stays between libc and main. */
    if (libleak_config.check && rtld_fini && on_exit(record_status_then_finalize, NULL) == 0) {
        real_rtld_fini = rtld_fini;
        rtld_fini = NULL;
    }
    return real(main, argc, argv, init, fini, rtld_fini, stack_end);
}

int libleak_exit_status(void)
{
    return atomic_load(&program_status);
}

void libleak_exit_status_record(int status)
{
    atomic_store(&program_status, status & 0xff);
}
