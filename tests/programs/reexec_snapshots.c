/*
 * reexec_snapshots — a program that execs itself: the new image keeps the process ID. Each
 * image allocates and asks for a snapshot (libleak_dump), and the second one exits normally
 * (the exit profile). Prints what each libleak_dump returned.
 *
 * Usage: reexec_snapshots   (the second image is started with the argument "second")
 */
#include <libleak.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *kept[16];

int main(int argc, char **argv)
{
    int second = argc > 1 && strcmp(argv[1], "second") == 0;
    for (int i = 0; i < 16; i++)
        kept[i] = malloc(1 << 20);
    if (libleak_dump)
        printf("%s image: libleak_dump %d\n", second ? "second" : "first", libleak_dump(NULL));
    else
        printf("%s image\n", second ? "second" : "first");
    if (second)
        return 0;
    fflush(stdout);
    char *again[] = {argv[0], "second", NULL};
    execv("/proc/self/exe", again);
    perror("execv");
    return 1;
}
