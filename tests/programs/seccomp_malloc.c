/*
 * seccomp_malloc — the system-call audit of the allocation path (tests/cases/lib_seccomp_malloc.sh).
 *
 * Three threads (main and two workers made before any filter) each install a seccomp filter
 * that allows what glibc's malloc itself uses and kills the whole process on anything else,
 * then malloc, calloc, realloc and free 10^6 blocks between them, of several sizes (one above
 * the mmap threshold). The workers' first allocations happen under the filter: their first
 * sample is taken there. Each thread installs its own filter, so libleak's own thread (made at
 * load time) is not under it: that is where the library may make its other calls.
 *
 * The program prints one line and ends with a raw exit_group (exit() would run the exit
 * profile on this filtered thread: that writes files, and is not the allocation path). With
 * "hold", main instead waits, still filtered, for a signal to stop it: the test sends the
 * snapshot signal first (its handler runs on a filtered thread too) and reads the profile the
 * dumper wrote, to see that the stacks were captured under the filter.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { WORKERS = 2, MAIN_ROUNDS = 400000, WORKER_ROUNDS = 300000 };

#define ALLOW(name) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_##name, 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* glibc's malloc: brk, mmap, munmap, mremap (realloc of mapped blocks), mprotect, madvise
   (trimming), futex (arena locks), getrandom (the tcache key, once); rt_sigreturn for the
   snapshot signal's handler; read, write, exit, exit_group for the program itself. */
static void install_filter(void)
{
    struct sock_filter filter[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            ALLOW(read),
            ALLOW(write),
            ALLOW(exit),
            ALLOW(exit_group),
            ALLOW(brk),
            ALLOW(mmap),
            ALLOW(munmap),
            ALLOW(mremap),
            ALLOW(mprotect),
            ALLOW(madvise),
            ALLOW(futex),
            ALLOW(getrandom),
            ALLOW(rt_sigreturn),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    };
    struct sock_fprog program = {sizeof filter / sizeof filter[0], filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
        perror("seccomp");
        exit(2);
    }
}

static atomic_int filtered, finished;
static atomic_int never;

static void wait_forever(void)
{
    for (;;)
        syscall(SYS_futex, &never, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

/* Every block is written and read, so the allocations cannot be optimised away, and the sum
   is the same bare and under the library. */
static unsigned long churn(int rounds, unsigned seed)
{
    static const size_t sizes[] = {8, 24, 100, 512, 1000, 4096, 10000, 200000};
    unsigned long sum = 0;
    void *kept[16] = {0};
    for (int i = 0; i < rounds; i++) {
        size_t size = sizes[(i + seed) % (sizeof sizes / sizeof sizes[0])];
        unsigned char *block;
        switch (i % 4) {
        case 0: block = malloc(size); break;
        case 1: block = calloc(1, size); break;
        case 2: block = realloc(NULL, size / 2 + 1); block = realloc(block, size); break;
        default: block = malloc(size); break;
        }
        if (!block)
            return 0;
        block[0] = (unsigned char)i;
        block[size - 1] = (unsigned char)(i >> 8);
        sum += block[0] + block[size - 1];
        /* some blocks live a while, as in real programs */
        int slot = i % 16;
        free(kept[slot]);
        kept[slot] = block;
    }
    for (int slot = 0; slot < 16; slot++)
        free(kept[slot]);
    return sum;
}

static unsigned long worker_sums[WORKERS];

static void *worker(void *argument)
{
    int index = (int)(long)argument;
    install_filter();
    atomic_fetch_add(&filtered, 1);
    worker_sums[index] = churn(WORKER_ROUNDS, (unsigned)index + 1);
    atomic_fetch_add(&finished, 1);
    wait_forever(); /* a thread's exit blocks signals (rt_sigprocmask): not allowed here */
    return NULL;
}

int main(int argc, char **argv)
{
    bool hold = argc > 1 && strcmp(argv[1], "hold") == 0;
    /* One arena: glibc opens /proc/sys/vm/overcommit_memory the first time it shrinks a
       thread arena's heap, a call of glibc's own that an allow-list of malloc's calls would
       have to let through (and with it libleak's old open of /proc/self/maps). */
    mallopt(M_ARENA_MAX, 1);
    pthread_t threads[WORKERS];
    for (long i = 0; i < WORKERS; i++)
        if (pthread_create(&threads[i], NULL, worker, (void *)i) != 0)
            return 2;
    install_filter();
    unsigned long sum = churn(MAIN_ROUNDS, 0);
    while (atomic_load(&finished) < WORKERS)
        __builtin_ia32_pause();
    for (int i = 0; i < WORKERS; i++)
        sum += worker_sums[i];
    char line[128];
    int length = snprintf(line, sizeof line, "%d allocations under the filter, checksum %lu\n",
                          MAIN_ROUNDS + WORKERS * WORKER_ROUNDS, sum);
    if (write(1, line, (size_t)length) != length)
        return 2;
    if (hold)
        wait_forever();
    syscall(SYS_exit_group, 0);
    return 0;
}
