#!/bin/bash
# Allocator wrappers are dropped as pprof drops runtime frames: the profile names them in
# drop_frames, so `go tool pprof` shows the caller of xmalloc (the program's own wrapper) and
# of strdup as the flat frame, and the wrappers not at all.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_go

cat >wrappers.c <<'C'
#include <stdlib.h>
#include <string.h>
#define SITE __attribute__((noinline, used))
SITE void *xmalloc(size_t size) { void *p = malloc(size); if (!p) abort(); return p; }
void *kept[300]; /* not static: gcc may drop a strdup whose result nobody reads */
SITE void keep_via_xmalloc(void) { for (int i = 0; i < 100; i++) kept[i] = xmalloc(1000); }
SITE void keep_via_strdup(void) {
  static char text[2000];
  memset(text, 'x', sizeof text - 1);
  for (int i = 100; i < 300; i++) kept[i] = strdup(text);
}
int main(void) { keep_via_xmalloc(); keep_via_strdup(); return 0; }
C
cc -O1 -g -fno-omit-frame-pointer -fno-inline -o wrappers wrappers.c || fail "cc failed"
timeout 60 env LIBLEAK_RATE=1 LIBLEAK_OUT='w.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" ./wrappers 2>err.txt \
  || fail "wrappers failed: $(cat err.txt)"
gopprof -top -symbolize=none -nodefraction=0 w.0001.pb.gz >top.txt 2>top.err || fail "pprof: $(cat top.err)"
cat top.txt
flat_of() { awk -v fn="$1" '$6 == fn { print $1 }' top.txt; }
assert_eq "97.66kB" "$(flat_of keep_via_xmalloc)" "keep_via_xmalloc is the flat frame of its 100 x 1000 B"
assert_eq "390.62kB" "$(flat_of keep_via_strdup)" "keep_via_strdup is the flat frame of its 200 x 2000 B"
if grep -wE 'xmalloc|strdup|__strdup' top.txt; then fail "a wrapper is still shown (above)"; fi
echo "ok: wrappers dropped"
# leakprof honours the same drop_frames: its top is pprof's, row for row.
"$LEAKPROF" top --nodefraction=0 w.0001.pb.gz >leakprof_top.txt || fail "leakprof top exited $?"
diff -u top.txt leakprof_top.txt || fail "leakprof top differs from go tool pprof -top (above)"
echo "ok: leakprof drops the same wrappers"
