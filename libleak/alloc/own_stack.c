/*
 * own_stack — the library's heavy work on a stack of its own, on the calling thread (no new
 * thread: a process may have no slot for one, and the exiting thread must do the exit
 * profile itself). See own_stack.h for who uses it and why.
 *
 * The switch (call_on_stack below) leaves an ordinary frame-pointer frame on the caller's
 * stack, described by CFI: a backtrace taken on our stack (a debugger, a program's signal
 * handler calling backtrace(), libunwind) continues into the caller's frames and ends where
 * the thread's stack ends. A signal delivered meanwhile runs its handler on our stack (unless
 * the program set an alternate signal stack), which has room for it. A guard page below the
 * stack turns an overflow into a fault at once rather than a write into a neighbour.
 *
 * The stack is one, taken with an atomic flag: dumps are serialised by the dump lock, and the
 * leak gate's report runs on the exiting thread, so a second user at once is rare (a snapshot
 * beside the gate's report); it gets a stack mapped for the call.
 */
#include "alloc/own_stack.h"

#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc/memory.h"

enum { GUARD = 4096 };

static char *reserved;        /* GUARD + LIBLEAK_OWN_STACK_SIZE bytes, the first page a guard */
static _Atomic bool reserved_busy;

__asm__(".text\n"
        ".globl libleak_call_on_stack\n"
        ".hidden libleak_call_on_stack\n"
        ".type libleak_call_on_stack, @function\n"
        "libleak_call_on_stack:\n"
        "    .cfi_startproc\n"
        "    push %rbp\n"
        "    .cfi_def_cfa_offset 16\n"
        "    .cfi_offset %rbp, -16\n"
        "    mov %rsp, %rbp\n"
        "    .cfi_def_cfa_register %rbp\n"
        "    mov %rdx, %rsp\n"
        "    mov %rdi, %rax\n"
        "    mov %rsi, %rdi\n"
        "    call *%rax\n"
        "    mov %rbp, %rsp\n"
        "    pop %rbp\n"
        "    .cfi_def_cfa %rsp, 8\n"
        "    ret\n"
        "    .cfi_endproc\n"
        ".size libleak_call_on_stack, .-libleak_call_on_stack\n");

/* A stack with its guard page, or NULL. */
static char *map_stack(void)
{
    char *base = libleak_map(GUARD + LIBLEAK_OWN_STACK_SIZE);
    if (base && mprotect(base, GUARD, PROT_NONE) != 0) {
        libleak_unmap(base, GUARD + LIBLEAK_OWN_STACK_SIZE);
        return NULL;
    }
    return base;
}

bool libleak_own_stack_reserve(void)
{
    if (!reserved)
        reserved = map_stack();
    return reserved != NULL;
}

static bool on_stack(const char *base)
{
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    return base && here >= (uintptr_t)base && here < (uintptr_t)base + GUARD + LIBLEAK_OWN_STACK_SIZE;
}

static void run_on(char *base, void (*work)(void *context), void *context)
{
    char *top = base + GUARD + LIBLEAK_OWN_STACK_SIZE; /* page-aligned, so 16-byte aligned */
    libleak_call_on_stack(work, context, top);
}

void libleak_on_own_stack(void (*work)(void *context), void *context)
{
    if (on_stack(reserved)) {
        work(context);
        return;
    }
    if (reserved && !atomic_exchange_explicit(&reserved_busy, true, memory_order_acquire)) {
        run_on(reserved, work, context);
        atomic_store_explicit(&reserved_busy, false, memory_order_release);
        return;
    }
    char *base = map_stack();
    if (!base) {
        work(context); /* the address space is full: the best we can do */
        return;
    }
    run_on(base, work, context);
    libleak_unmap(base, GUARD + LIBLEAK_OWN_STACK_SIZE);
}

void libleak_own_stack_after_fork_in_child(void)
{
    if (!on_stack(reserved))
        atomic_store(&reserved_busy, false);
}

size_t libleak_own_stack_used(void)
{
    enum { PAGES = LIBLEAK_OWN_STACK_SIZE / 4096 };
    static unsigned char resident[PAGES];
    if (!reserved || mincore(reserved + GUARD, LIBLEAK_OWN_STACK_SIZE, resident) != 0)
        return 0;
    for (size_t page = 0; page < PAGES; page++)
        if (resident[page] & 1)
            return (PAGES - page) * 4096;
    return 0;
}
