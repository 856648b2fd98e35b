/* libc_blocks: blocks that glibc allocates for the program and the program drops: strdup (13
   bytes), getline's buffer (glibc starts it at 120 bytes) and asprintf's string (trimmed to
   the 17 bytes of "asprintf 1234567"). Definitely lost, allocated inside libc. */
//@ main: definitely=150/3 indirectly=0/0 possibly=0/0 status=23
#include <stdio.h>

#include "corpus.h"

CORPUS_SITE static void lose_strdup(void)
{
    char *copy = strdup("hello, world");
    copy = NULL;
    (void)copy;
}

CORPUS_SITE static void lose_getline(void)
{
    char text[] = "first line\nsecond line\n";
    FILE *stream = fmemopen(text, sizeof text - 1, "r");
    char *line = NULL;
    size_t capacity = 0;
    if (!stream || getline(&line, &capacity, stream) < 0)
        abort();
    fclose(stream);
    line = NULL;
}

CORPUS_SITE static void lose_asprintf(void)
{
    char *text = NULL;
    if (asprintf(&text, "%s %d", "asprintf", 1234567) < 0)
        abort();
    text = NULL;
}

int main(void)
{
    lose_strdup();
    lose_getline();
    lose_asprintf();
    scrub_stack();
    return 0;
}
