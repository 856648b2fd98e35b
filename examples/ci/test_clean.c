/* test_clean: a unit test that passes and frees what it allocates (examples/ci). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The code under test: splits "a,b,c" into a NULL-terminated array of copies. */
static char **split(const char *text)
{
    size_t count = 1;
    for (const char *c = text; *c; c++)
        count += *c == ',';
    char **parts = calloc(count + 1, sizeof *parts);
    char *copy = strdup(text), *rest = copy, *part;
    size_t n = 0;
    while ((part = strsep(&rest, ",")) != NULL)
        parts[n++] = strdup(part);
    free(copy);
    return parts;
}

static void free_parts(char **parts)
{
    for (char **p = parts; *p; p++)
        free(*p);
    free(parts);
}

int main(void)
{
    char **parts = split("alpha,beta,gamma");
    int ok = strcmp(parts[0], "alpha") == 0 && strcmp(parts[2], "gamma") == 0 && parts[3] == NULL;
    free_parts(parts);
    puts(ok ? "test_clean: ok" : "test_clean: FAILED");
    return ok ? 0 : 1;
}
