/* fork_child: the child of fork() drops 2000 bytes (and inherits the parent's 300-byte leak
   made before the fork); the parent drops 300 bytes and nothing else. Each process is checked
   at its own exit: the child's report goes to child.err (the child redirects its stderr), the
   parent prints "child_status N" with the child's exit status as the gate left it. */
//@ main: definitely=300/1 indirectly=0/0 possibly=0/0 status=23
//@ child: definitely=2300/2 indirectly=0/0 possibly=0/0 status=23
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "corpus.h"

CORPUS_SITE static void lose_block(size_t size)
{
    void *block = xmalloc(size);
    block = NULL;
    (void)block;
}

int main(void)
{
    lose_block(300);
    scrub_stack();
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        abort();
    if (child == 0) {
        int fd = open("child.err", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, 2) < 0)
            abort();
        close(fd);
        lose_block(2000);
        scrub_stack();
        exit(0);
    }
    int status;
    if (waitpid(child, &status, 0) != child)
        abort();
    printf("child_status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    printf("child_pid %d\n", (int)child);
    scrub_stack();
    return 0;
}
