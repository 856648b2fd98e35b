/*
 * thread_stack — where the calling thread's stack is, answered without a system call.
 *
 * The unwinders (unwind.c) may only read memory they know is mapped: the part of this thread's
 * stack above the current frame. They used to learn it from /proc/self/maps on a thread's first
 * sample; that open() was a system call a seccomp allow-list kills for, and a cancellation
 * point (a pending pthread_cancel acted on it inside malloc). Now everything that needs a
 * system call happens once, at load time, and each thread's bounds are then read from memory:
 *
 *   - The main thread: its stack mapping (from /proc/self/maps) and RLIMIT_STACK, read by the
 *     constructor; the thread is known by its descriptor (pthread_self() reads %fs, no call).
 *   - Every other thread glibc made: the stack block glibc keeps in the thread's descriptor
 *     (struct pthread's `stackblock` and `stackblock_size`, mapped memory with the guard at its
 *     bottom and the descriptor at its top, for stacks glibc allocates and stacks the program
 *     gave with pthread_attr_setstack alike). Their offset is private to glibc, so it is found
 *     at load time in the main thread's descriptor, where glibc stores __libc_stack_end as the
 *     size of a block that starts at NULL (dl-tls_init_tp.c, for pthread_getattr_np's sake),
 *     within _thread_db_sizeof_pthread bytes (the size libthread_db reads).
 *
 * Every answer is checked before it is given: the block must hold both the descriptor and the
 * caller's frame. A thread on a stack of its own making (makecontext, a signal's alternate
 * stack) or not made by glibc gets no bounds: its stack is cut short by the walkers and counted.
 */
#include "alloc/thread_stack.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "os/proc_maps.h"

extern void *__libc_stack_end;

static uintptr_t main_descriptor; /* pthread_self() of the main thread; 0 when not known */
static uintptr_t main_low, main_high;
static size_t block_offset; /* of `stackblock` in struct pthread; 0 when not found */

/* The main thread's stack: the mapping holding this frame, grown down to RLIMIT_STACK below its
   top (nothing else is ever mapped there). */
static void learn_main_stack(void)
{
    uintptr_t here = (uintptr_t)__builtin_frame_address(0), start, end;
    if (syscall(SYS_gettid) != getpid() || !libleak_maps_find(here, &start, &end))
        return; /* loaded by dlopen on another thread: the main thread's stack stays unknown */
    struct rlimit limit;
    if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < end &&
        end - limit.rlim_cur < start)
        start = end - limit.rlim_cur;
    main_low = start;
    main_high = end;
    main_descriptor = (uintptr_t)pthread_self();
}

/* The offset of `stackblock` in struct pthread: the one word pair (NULL, __libc_stack_end) of
   the main thread's descriptor. Found once, or not at all (then other threads get no bounds). */
static void learn_block_offset(void)
{
    const unsigned *size = dlsym(RTLD_DEFAULT, "_thread_db_sizeof_pthread");
    if (!main_descriptor || !size || *size < 2 * sizeof(uintptr_t) || *size > 65536)
        return;
    const uintptr_t *words = (const uintptr_t *)main_descriptor;
    size_t found = 0, matches = 0;
    for (size_t i = 1; i < *size / sizeof(uintptr_t); i++)
        if (words[i] == (uintptr_t)__libc_stack_end && words[i - 1] == 0) {
            found = (i - 1) * sizeof(uintptr_t);
            matches++;
        }
    if (matches == 1)
        block_offset = found;
}

void libleak_thread_stack_init(void)
{
    learn_main_stack();
    learn_block_offset();
}

bool libleak_thread_stack_find(uintptr_t *low, uintptr_t *high)
{
    uintptr_t descriptor = (uintptr_t)pthread_self(), here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t start, end;
    if (descriptor == main_descriptor) {
        start = main_low;
        end = main_high;
    } else if (block_offset) {
        const uintptr_t *block = (const uintptr_t *)(descriptor + block_offset);
        start = block[0];
        end = block[0] + block[1];
        if (!start || end < start || descriptor - start >= end - start)
            return false; /* not a stack glibc knows the block of */
    } else {
        return false;
    }
    if (here - start >= end - start)
        return false; /* not running on it now: an alternate stack */
    *low = start;
    *high = end;
    return true;
}
