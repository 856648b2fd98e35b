/*
 * exit_caller — where the program's part of the exiting thread's stack begins. The gate runs
 * deep inside exit(): below the frame that called exit() lie the exit machinery's frames
 * (libc's, the loader's, ours) over memory that earlier, deeper calls used, our own sampling
 * frames among them. Stale words there point at blocks whose only real pointer has died, and
 * memcheck, which scans only defined memory, calls such blocks lost. So the scan starts at the
 * stack pointer of exit()'s caller: the frame that called exit() explicitly (its locals are
 * live), or libc's start-up code when main returned (main's locals are dead). We unwind to it
 * with libunwind through libc's unwind tables; if that fails, the whole stack from here is
 * scanned.
 */
#include "gate/exit_caller.h"

#include <dlfcn.h>
#include <link.h>
#include <stddef.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "alloc/modules.h"

uintptr_t libleak_exit_caller_stack_pointer(uintptr_t fallback)
{
    if (libleak_modules_loader_locked()) /* a fork child: libunwind and dladdr would take the loader's lock */
        return fallback;
    void *exit_function = dlsym(RTLD_NEXT, "exit");
    Dl_info info;
    const ElfW(Sym) *symbol = NULL;
    if (!exit_function || !dladdr1(exit_function, &info, (void **)&symbol, RTLD_DL_SYMENT) || !symbol ||
        !symbol->st_size)
        return fallback;
    uintptr_t exit_start = (uintptr_t)exit_function, exit_end = exit_start + symbol->st_size;
    unw_context_t context;
    unw_cursor_t cursor;
    if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0)
        return fallback;
    for (int depth = 0; depth < 64 && unw_step(&cursor) > 0; depth++) {
        unw_word_t ip = 0;
        unw_get_reg(&cursor, UNW_REG_IP, &ip);
        /* A return address inside exit(): the frame above is exit()'s caller. */
        if (ip - 1 >= exit_start && ip - 1 < exit_end) {
            unw_word_t sp = 0;
            if (unw_step(&cursor) <= 0 || unw_get_reg(&cursor, UNW_REG_SP, &sp) != 0 || sp < fallback)
                return fallback;
            return (uintptr_t)sp;
        }
    }
    return fallback;
}
