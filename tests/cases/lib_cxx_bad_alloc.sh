#!/bin/bash
# operator new that throws std::bad_alloc through libleak's operator new (cxx_hooks.c): the
# program catches it and goes on, and what it allocates afterwards is still counted (the
# "inside" flag was left on the unwinding path too). The nothrow forms return NULL. With
# glibc, jemalloc and tcmalloc underneath.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_go
command -v g++ >/dev/null 2>&1 || skip "g++ not installed"

cat >bad_alloc.cc <<'CXX'
#include <cstdio>
#include <new>

#define SITE __attribute__((noinline, noclone, used))
enum { KEPT = 100 };
static char *kept[KEPT];
volatile unsigned long huge = 1UL << 62;

SITE int throw_and_catch() {
  int caught = 0;
  for (int i = 0; i < 3; i++) {
    try { char *p = new char[huge]; p[0] = 1; } catch (const std::bad_alloc &) { caught++; }
  }
  return caught;
}
SITE int nothrow_nulls() {
  int nulls = 0;
  for (int i = 0; i < 3; i++) if (!new (std::nothrow) char[huge]) nulls++;
  return nulls;
}
SITE void keep_after() { for (auto &k : kept) { k = new char[64]; k[0] = 1; } }

int main() {
  int caught = throw_and_catch(), nulls = nothrow_nulls();
  keep_after();
  std::printf("caught %d nulls %d\n", caught, nulls);
  std::printf("truth keep_after %d %d %d %d\n", KEPT, KEPT * 64, KEPT, KEPT * 64);
  return 0;
}
CXX
g++ -std=c++17 -O1 -g -fno-omit-frame-pointer -fno-inline -Wall -Wextra -Werror -o bad_alloc bad_alloc.cc \
  || fail "g++ could not build the test program"

for after in "" /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4; do
  name=$(basename "${after:-glibc}")
  mkdir -p "$name"
  (cd "$name" && timeout 60 env LIBLEAK_RATE=1 LIBLEAK_OUT='x.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO $after" \
     TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD=0 ../bad_alloc >out.txt 2>err.txt)
  assert_eq 0 $? "$name: exit status ($(head -c 300 "$name/err.txt"))"
  assert_eq "caught 3 nulls 3" "$(head -n 1 "$name/out.txt")" "$name: bad_alloc caught and nothrow NULLs"
  pprof_raw "$name/x.0001.pb.gz" "$name/x.raw"
  check_expectations "$name/x.raw" "$name/out.txt" truth
done
