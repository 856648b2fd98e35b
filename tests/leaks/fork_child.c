/* fork_child: the child of fork() drops 2000 bytes (and inherits the parent's 300-byte leak
   made before the fork); the parent drops 300 bytes and nothing else. Each process is checked
   at its own exit. Both report on the same stderr, the child first: the parent waits for it
   before exiting, and prints "child_status N" with the child's exit status as the gate left
   it. (The child cannot move its report elsewhere with dup2: libleak writes only to the
   stderr the program started with, never into a file that took over descriptor 2.) */
//@ main: definitely=300/1 indirectly=0/0 possibly=0/0 status=23
//@ child: definitely=2300/2 indirectly=0/0 possibly=0/0 status=23
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
