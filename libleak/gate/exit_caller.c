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
#include <stdbool.h>
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

/* Where the next definition of an exit function (glibc's) lies; false when unknown. */
static bool function_range(const char *name, uintptr_t range[2])
{
    void *function = dlsym(RTLD_NEXT, name);
    Dl_info info;
    const ElfW(Sym) *symbol = NULL;
    if (!function || !dladdr1(function, &info, (void **)&symbol, RTLD_DL_SYMENT) || !symbol || !symbol->st_size)
        return false;
    range[0] = (uintptr_t)function;
    range[1] = range[0] + symbol->st_size;
    return true;
}

static uintptr_t find(const ucontext_t *from, uintptr_t fallback, struct libleak_exit_caller *caller)
{
    if (libleak_modules_loader_locked()) /* a fork child: libunwind and dladdr would take the loader's lock */
        return fallback;
    uintptr_t exits[2][2]; /* exit(), and quick_exit() whose last handler runs the gate too */
    bool known[2] = {function_range("exit", exits[0]), function_range("quick_exit", exits[1])};
    if (!known[0] && !known[1])
        return fallback;
    unw_cursor_t cursor;
    if (unw_init_local(&cursor, (unw_context_t *)from) != 0)
        return fallback;
    for (int depth = 0; depth < 64 && unw_step(&cursor) > 0; depth++) {
        unw_word_t ip = 0;
        unw_get_reg(&cursor, UNW_REG_IP, &ip);
        /* A return address inside exit() (or quick_exit()): the frame above is its caller. */
        bool in_exit = false;
        for (int i = 0; i < 2; i++)
            in_exit |= known[i] && ip - 1 >= exits[i][0] && ip - 1 < exits[i][1];
        if (in_exit) {
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
