/* Prints errno as main finds it: the library's constructor runs before main and must leave it
   as it was (issue 19, item 9: the cgroup probe left ENOENT). */
#include <errno.h>
#include <stdio.h>

int main(void)
{
    int at_main = errno;
    printf("errno at main: %d\n", at_main);
    return 0;
}
