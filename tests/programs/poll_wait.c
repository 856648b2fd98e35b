/*
 * poll_wait: the main thread waits in poll(2) with a timeout, which no SA_RESTART restarts:
 * a signal handled on this thread makes it fail with EINTR. Prints "ready", then after the
 * wait "poll 0" (timed out undisturbed) or "poll -1 EINTR", and waits one more second.
 *   poll_wait MILLISECONDS
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int millis = argc > 1 ? atoi(argv[1]) : 2000;
    printf("ready\n");
    fflush(stdout);
    int result = poll(NULL, 0, millis);
    if (result < 0)
        printf("poll %d %s\n", result, errno == EINTR ? "EINTR" : strerror(errno));
    else
        printf("poll %d\n", result);
    fflush(stdout);
    poll(NULL, 0, 1000); /* time for the snapshot asked for to be written before we exit */
    return 0;
}
