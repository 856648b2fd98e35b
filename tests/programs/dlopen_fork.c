/*
 * dlopen_fork: dlopens and dlcloses LIBRARY (tests/libraries/fork_ctor.c: its constructor
 * requests a snapshot and forks) ROUNDS times, so that fork runs inside dlopen, under the
 * loader's lock, while a snapshot is being written.
 *   dlopen_fork LIBRARY ROUNDS   prints "forks N" (children that exited 0)
 */
#include <dlfcn.h>
#include <libleak.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    if (!libleak_dump)
        signal(SIGUSR2, SIG_IGN); /* bare: the constructor's signal must not kill us */
    int rounds = atoi(argv[2]), forks = 0;
    for (int i = 0; i < rounds; i++) {
        void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
        if (!library) {
            fprintf(stderr, "%s\n", dlerror());
            return 1;
        }
        forks += *(int *)dlsym(library, "fork_ctor_forks");
        dlclose(library);
    }
    printf("forks %d\n", forks);
    return 0;
}
