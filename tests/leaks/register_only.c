/* register_only: a thread blocks every signal and sleeps in futex while the only pointer to
   its 4,321-byte block is in register r15 (callee-saved: the kernel keeps it across the
   system call; no copy on any stack). memcheck reads every thread's registers: still
   reachable. A scan that cannot read a sleeping thread's registers calls it lost. x86-64. */
//@ main: definitely=0/0 indirectly=0/0 possibly=0/0 status=0
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "corpus.h"

static volatile int started;
static int never_woken;

CORPUS_SITE static void *make_block(void)
{
    return xmalloc(4321);
}

static void *holder(void *unused)
{
    (void)unused;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
#if defined(__x86_64__)
    register void *held __asm__("r15") = make_block();
    scrub_stack();
    __atomic_store_n(&started, 1, __ATOMIC_SEQ_CST);
    register long no_timeout __asm__("r10") = 0;
    for (;;) {
        long result;
        __asm__ volatile("syscall"
                         : "=a"(result)
                         : "0"((long)SYS_futex), "D"(&never_woken), "S"((long)FUTEX_WAIT_PRIVATE), "d"(0L),
                           "r"(no_timeout), "r"(held)
                         : "rcx", "r11", "memory");
    }
#else
    static void *volatile held;
    held = make_block();
    __atomic_store_n(&started, 1, __ATOMIC_SEQ_CST);
    for (;;)
        pause();
#endif
    return NULL;
}

int main(void)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, holder, NULL))
        abort();
    while (!__atomic_load_n(&started, __ATOMIC_SEQ_CST))
        usleep(1000);
    usleep(50000);
    scrub_stack();
    return 0;
}
