/*
 * small_stack: a thread with a 16 KiB stack (PTHREAD_STACK_MIN on x86-64) that has already used
 * 4 KiB of it allocates: directly, through libc (strdup, fopen) and from code without frame
 * pointers or unwind tables. Stack capture must not need kilobytes of the thread's stack.
 *   small_stack        prints "ok" when the thread finished.
 *   small_stack exit   the thread also allocates 20 MiB (sampled at any rate), keeps 1 MiB of
 *                      it, prints "exiting" (buffered) and calls exit(7) itself: the exit
 *                      profile is written on that thread, with names, never on its stack.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"

#include "call_with_rbp.h"

SITE void allocate_everything(void)
{
    for (int i = 0; i < 20; i++) {
        free(malloc(32 + (size_t)i));
        free(calloc(4, 100));
        free(strdup("a string from libc"));
        FILE *file = fopen("/proc/self/stat", "r");
        if (file)
            fclose(file);
        uintptr_t here = (uintptr_t)&here;
        free(call_with_rbp(here + 64, 48));
        free(call_with_rbp((uintptr_t)-16, 48));
    }
}

/* 4 KiB of the stack in use, then the allocations. */
SITE void use_stack(int depth)
{
    volatile char used[1024];
    memset((char *)used, depth, sizeof used);
    if (depth > 1)
        use_stack(depth - 1);
    else
        allocate_everything();
    used[0]++;
}

static bool exit_from_thread;
void *volatile kept;

SITE void allocate_megabytes(void)
{
    for (int i = 0; i < 20; i++) {
        void *block = malloc(1 << 20);
        if (i == 0)
            kept = block;
        else
            free(block);
    }
}

static void *thread_main(void *unused)
{
    (void)unused;
    use_stack(4);
    if (exit_from_thread) {
        allocate_megabytes();
        printf("exiting\n");
        exit(7);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    exit_from_thread = argc > 1 && strcmp(argv[1], "exit") == 0;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    if (pthread_attr_setstacksize(&attributes, 16384) != 0)
        return 2;
    pthread_t thread;
    if (pthread_create(&thread, &attributes, thread_main, NULL) != 0)
        return 2;
    pthread_join(thread, NULL);
    puts("ok");
    return 0;
}
