/*
 * cancel_dump: a thread calls libleak_dump(NULL) over and over and is cancelled (deferred
 * cancellation: open and write are cancellation points) at varying moments, twenty times; then
 * main calls libleak_dump(NULL) once more and exits. A cancelled dump must not leave anything
 * locked: prints "final dump 0" and "done". Without the library it prints "done" only.
 */
#include <libleak.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static void *dump_forever(void *arg)
{
    (void)arg;
    for (;;)
        libleak_dump(NULL);
    return NULL;
}

int main(void)
{
    if (libleak_dump) {
        for (int i = 0; i < 20; i++) {
            pthread_t thread;
            if (pthread_create(&thread, NULL, dump_forever, NULL) != 0)
                return 2;
            struct timespec pause = {0, (20 + i * 3) * 1000 * 1000};
            nanosleep(&pause, NULL);
            pthread_cancel(thread);
            pthread_join(thread, NULL);
        }
        printf("final dump %d\n", libleak_dump(NULL));
    }
    printf("done\n");
    return 0;
}
