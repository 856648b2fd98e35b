#!/bin/bash
# Every profile records the process's resident memory and, when glibc's malloc is the
# allocator underneath, glibc's own figures (mallinfo2), as comments that leakprof info and
# growth parse (tools/leakprof/reports/process_memory.c). A program holding 40 MiB in 4 KiB blocks:
# resident and glibc's in-use bytes are both at least that. Stacked on jemalloc, glibc's
# arenas mean nothing: no mallinfo2 comment, resident memory still there.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib
cat >hold.c <<'C'
#include <stdlib.h>
#include <string.h>
void *held[10240];
int main(void) {
  for (int i = 0; i < 10240; i++) { held[i] = malloc(4096); memset(held[i], 1, 4096); }
  return 0;
}
C
cc -O1 -o hold hold.c || fail "cc failed"
held=$((10240 * 4096))
# number FILE KEY: the byte count after "KEY: " in leakprof info's comment lines.
number() { sed -n "s/^Comment: *$2: \([0-9]*\) bytes.*/\1/p" "$1" | head -n 1; }
timeout 60 env LIBLEAK_OUT=glibc.pb.gz LD_PRELOAD="$LIBLEAK_SO" ./hold || fail "hold failed under libleak"
"$LEAKPROF" info glibc.pb.gz >glibc.info || fail "leakprof info exited $?"
grep -E "^(Comment: *(resident|allocator)|Resident|Malloc)" glibc.info
resident=$(number glibc.info "resident memory")
in_use=$(number glibc.info "allocator (glibc mallinfo2)")
[ -n "$resident" ] && [ "$resident" -ge $held ] || fail "resident memory '$resident' < the $held bytes held"
[ -n "$in_use" ] && [ "$in_use" -ge $held ] || fail "glibc's in-use bytes '$in_use' < the $held bytes held"
grep -q "^Resident: " glibc.info || fail "leakprof info does not show the resident memory"
grep -q "^Malloc'd: .* in use (glibc), .* free in its arenas" glibc.info || fail "leakprof info does not show glibc's figures"
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
if [ -f "$jemalloc" ]; then
  timeout 60 env LIBLEAK_OUT=jemalloc.pb.gz LD_PRELOAD="$LIBLEAK_SO $jemalloc" ./hold || fail "hold failed on jemalloc"
  "$LEAKPROF" info jemalloc.pb.gz >jemalloc.info || fail "leakprof info exited $?"
  [ -n "$(number jemalloc.info "resident memory")" ] || fail "no resident memory comment on jemalloc"
  if grep -q "allocator (glibc" jemalloc.info; then fail "a mallinfo2 comment although jemalloc is the allocator"; fi
  echo "ok: jemalloc underneath: resident memory only"
else
  echo "libjemalloc2 not installed: the jemalloc half is not checked"
fi
