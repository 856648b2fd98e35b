/* libleak_dump called from inside the program's own dl_iterate_phdr callback (the loader's
   lock held) while another thread dumps too. A dump that took the loader's lock under its own
   lock would deadlock with it: this thread holds the loader's lock and waits for the dump lock,
   the other holds the dump lock and waits for the loader's. Prints "done" when both finish. */
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include <libleak.h>

enum { ROUNDS = 60 };

static int dump_from_callback(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)info, (void)size, (void)data;
    libleak_dump("inside.pb.gz");
    unlink("inside.pb.gz");
    return 1; /* the first module is enough */
}

static void *dump_elsewhere(void *unused)
{
    (void)unused;
    for (int i = 0; i < ROUNDS; i++) {
        libleak_dump("other.pb.gz");
        unlink("other.pb.gz");
    }
    return NULL;
}

int main(void)
{
    pthread_t other;
    pthread_create(&other, NULL, dump_elsewhere, NULL);
    for (int i = 0; i < ROUNDS; i++)
        dl_iterate_phdr(dump_from_callback, NULL);
    pthread_join(other, NULL);
    puts("done");
    return 0;
}
