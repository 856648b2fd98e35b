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

#include "alloc/libunwind_setup.h"
#include "alloc/modules.h"
#include "alloc/thread.h"
#include "os/proc_maps.h"

/* The callee-saved registers libunwind recovers for the cursor's frame (from where the frames
   below saved them). */
static void read_saved_registers(unw_cursor_t *cursor, struct libleak_exit_caller *caller)
{
#if defined(__x86_64__)
    static const int saved[] = {UNW_X86_64_RBX, UNW_X86_64_RBP, UNW_X86_64_R12,
                                UNW_X86_64_R13, UNW_X86_64_R14, UNW_X86_64_R15};
#elif defined(__aarch64__)
    static const int saved[] = {UNW_AARCH64_X19, UNW_AARCH64_X20, UNW_AARCH64_X21, UNW_AARCH64_X22,
                                UNW_AARCH64_X23, UNW_AARCH64_X24, UNW_AARCH64_X25, UNW_AARCH64_X26};
#else
    static const int saved[] = {};
#endif
    for (size_t i = 0; i < sizeof saved / sizeof saved[0] && i < LIBLEAK_EXIT_CALLER_REGISTERS; i++) {
        unw_word_t value;
        if (unw_get_reg(cursor, saved[i], &value) == 0)
            caller->registers[caller->register_count++] = (uintptr_t)value;
    }
}

/* libunwind's local context is the kernel's ucontext_t on the architectures it supports. */
_Static_assert(sizeof(unw_context_t) == sizeof(ucontext_t), "unw_context_t is not ucontext_t");

static uintptr_t find(const ucontext_t *from, uintptr_t fallback, struct libleak_exit_caller *caller)
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
    unw_cursor_t cursor;
    if (unw_init_local(&cursor, (unw_context_t *)from) != 0)
        return fallback;
    for (int depth = 0; depth < 64 && unw_step(&cursor) > 0; depth++) {
        unw_word_t ip = 0;
        unw_get_reg(&cursor, UNW_REG_IP, &ip);
        /* A return address inside exit(): the frame above is exit()'s caller. */
        if (ip - 1 >= exit_start && ip - 1 < exit_end) {
            unw_word_t sp = 0;
            if (unw_step(&cursor) <= 0 || unw_get_reg(&cursor, UNW_REG_SP, &sp) != 0 || sp < fallback)
                return fallback;
            read_saved_registers(&cursor, caller);
            return (uintptr_t)sp;
        }
    }
    return fallback;
}

void libleak_exit_caller_find(const ucontext_t *from, uintptr_t fallback, struct libleak_exit_caller *caller)
{
    caller->register_count = 0;
    /* The walk runs on the library's stack, and libunwind may only read what our accessor
       vouches for (alloc/libunwind_setup.c): the exiting thread's stack once known, and the
       frames declared ours. Here those are the exit machinery's frames above `from`, up to
       the end of the mapping they are on (the thread's stack, or an alternate signal stack). */
    struct libleak_thread *self = &libleak_thread;
    uintptr_t start, end;
    if (libleak_maps_find((uintptr_t)from, &start, &end)) {
        self->own_frames_low = (uintptr_t)from;
        self->own_frames_high = end;
    }
    caller->sp = find(from, fallback, caller);
    self->own_frames_low = self->own_frames_high = 0;
    libleak_libunwind_refused(); /* not a sample's */
    if (caller->sp == fallback)
        caller->register_count = 0;
}
