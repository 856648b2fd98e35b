#!/bin/bash
# LIBLEAK_SYMBOLIZE=0 writes addresses only; because the mappings (addresses, offsets, path,
# build ID) are right, go tool pprof symbolizes the profile from the binary itself and charges
# the exact numbers to the right function — for a PIE and a non-PIE program.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hello_alloc; require_go

cp "$TESTBIN/hello_alloc" pie
gcc -std=gnu11 -O1 -g -no-pie -fno-pie -fno-omit-frame-pointer -fno-inline -D_GNU_SOURCE -I"$LIBLEAK_ROOT/include" \
  -o nopie "$LIBLEAK_ROOT/tests/programs/hello_alloc.c" || fail "cannot build hello_alloc with -no-pie"
for program in pie nopie; do
  timeout 30 env LIBLEAK_SYMBOLIZE=0 LIBLEAK_RATE=1 LIBLEAK_OUT="$program.pb.gz" LD_PRELOAD="$LIBLEAK_SO" "./$program" >/dev/null 2>"$program.err"
  rc=$?
  cat "$program.err" >&2
  assert_eq 0 "$rc" "$program: exit status"
  gopprof -top -symbolize=none "$program.pb.gz" >"$program.none" 2>&1 || fail "$program: pprof -symbolize=none failed"
  grep -q 'hello_keep' "$program.none" && fail "$program: LIBLEAK_SYMBOLIZE=0 still wrote function names"
  gopprof -top -unit=B -nodefraction=0 -symbolize=local "$program.pb.gz" >"$program.local" 2>&1 \
    || fail "$program: pprof -symbolize=local failed: $(cat "$program.local")"
  got=$(awk '$6 == "hello_keep" { sub(/B$/, "", $4); print $4 }' "$program.local")
  assert_eq 100000 "$got" "$program: hello_keep's bytes in use after pprof symbolized from the binary ($(grep -c . "$program.local") lines of -top)"
  echo "ok: $program: addresses only; pprof symbolized hello_keep = $got B"
done
