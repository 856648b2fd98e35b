/* test_leak: a unit test that passes, but the code under test leaks: it forgets to free the
   array it builds (examples/ci). Only the leak gate fails it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The code under test: the number of words in TEXT, counted in a scratch copy it never frees. */
static size_t count_words(const char *text)
{
    char *scratch = strdup(text), *rest = scratch;
    size_t words = 0;
    while (strsep(&rest, " ") != NULL)
        words++;
    return words; /* the leak: scratch is not freed */
}

int main(void)
{
    int ok = count_words("the quick brown fox") == 4;
    puts(ok ? "test_leak: ok" : "test_leak: FAILED");
    return ok ? 0 : 1;
}
