/*
 * closes_stderr — a program that closes its stderr before it exits, as coreutils'
 * close_stdout does, after allocating a little. It writes its pid to pid.txt (so that a test
 * can find libleak.PID.log) and "done" to stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void *kept[64];

int main(void)
{
    for (int i = 0; i < 64; i++)
        kept[i] = malloc(100000);
    FILE *pid = fopen("pid.txt", "w");
    if (!pid)
        return 2;
    fprintf(pid, "%d\n", (int)getpid());
    fclose(pid);
    printf("done\n");
    fflush(stdout);
    close(2);
    return 0;
}
