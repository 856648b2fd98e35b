/* main_exits_first: main starts a worker and ends with pthread_exit, as servers that hand
   everything to their threads do; the process ends when the worker returns (glibc's last
   thread calls exit(0)). The worker joins the main thread (legal once it has exited), says so
   by creating DIR/main_gone, waits for DIR/go (the test sends a snapshot signal meanwhile),
   allocates a block it keeps and returns. stdout is a pipe or a file: the two lines stay in
   stdio's buffer until that exit(0) flushes them. Used by lib_main_pthread_exit. */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *directory;
static pthread_t main_thread;
static void *kept;

static void create(const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    if (fd < 0)
        abort();
    close(fd);
}

static void wait_for(const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    for (int i = 0; i < 2000 && access(path, F_OK) != 0; i++)
        usleep(10 * 1000);
}

static void *worker(void *unused)
{
    (void)unused;
    if (pthread_join(main_thread, NULL) != 0)
        abort();
    printf("main has gone\n");
    create("main_gone");
    wait_for("go");
    kept = malloc(4096);
    printf("worker done\n");
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    directory = argv[1];
    main_thread = pthread_self();
    pthread_t thread;
    if (pthread_create(&thread, NULL, worker, NULL) != 0)
        return 1;
    pthread_exit(NULL);
}
