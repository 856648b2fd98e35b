/*
 * blocking_read: reads stdin to its end with read(2), counting lines and the calls that
 * failed with EINTR. A test sends it SIGUSR2 while it blocks: the library's handler is
 * installed with SA_RESTART, so the program must never see EINTR.
 * Prints "ready" (after the first line), then "lines N eintr M" at the end of input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char buffer[4096];
    long lines = 0, eintr = 0;
    int announced = 0;
    for (;;) {
        ssize_t n = read(0, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            eintr++;
            continue;
        }
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            lines += buffer[i] == '\n';
        char *copy = malloc((size_t)n); /* some allocation traffic */
        if (!copy)
            return 2;
        memcpy(copy, buffer, (size_t)n);
        free(copy);
        if (!announced && lines > 0) {
            printf("ready\n");
            fflush(stdout);
            announced = 1;
        }
    }
    printf("lines %ld eintr %ld\n", lines, eintr);
    return 0;
}
