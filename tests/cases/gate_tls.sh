#!/bin/bash
# Thread-local storage as roots: a block kept only from a __thread variable of the program
# (static TLS, gate_verdicts.sh covers it) and of a library loaded with dlopen (dynamic TLS:
# the loader malloc's the block and reaches it only through the thread's DTV) is still
# reachable, as memcheck says; so is one kept from a pthread_setspecific slot.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib

cat >tlsmod.c <<'C'
#include <stdlib.h>
#include <string.h>
static __thread void *kept;
void keep_in_tls(void)
{
    kept = malloc(321);
    memset(kept, 1, 321);
}
C
cat >dlmain.c <<'C'
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static pthread_key_t key;
int main(int argc, char **argv)
{
    (void)argc;
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    void (*keep)(void) = (void (*)(void))dlsym(h, "keep_in_tls");
    keep();
    pthread_key_create(&key, NULL);
    void *specific = malloc(123);
    memset(specific, 2, 123);
    pthread_setspecific(key, specific);
    specific = NULL;
    return 0;
}
C
cc -O1 -g -fPIC -shared -o libtlsmod.so tlsmod.c || fail "cannot build tlsmod.c"
cc -O1 -g -o dlmain dlmain.c -ldl -lpthread || fail "cannot build dlmain.c"
gate_run tls -- ./dlmain "$PWD/libtlsmod.so"
cat tls.err >&2
assert_eq 0 "$gate_rc" "dynamic TLS and TSD: exit status"
assert_summary tls.err "0 0" "0 0" "0 0" "dynamic TLS and TSD"
reachable=$(summary_of tls.err "still reachable")
[ "${reachable% *}" -ge 444 ] || fail "the 321-byte TLS block and the 123-byte TSD block are not still reachable: $reachable"
if command -v valgrind >/dev/null 2>&1; then
  valgrind_summary tls ./dlmain "$PWD/libtlsmod.so"
  for class in "definitely lost" "indirectly lost"; do
    assert_eq "$(summary_of tls.vg "$class")" "$(summary_of tls.err "$class")" "$class, memcheck vs libleak"
  done
fi
echo "ok: TLS roots"
