#!/bin/bash
# A program built without -g (no DWARF), one whose debug info was stripped, and a non-PIE one:
# the profile still names their functions (from the symbol table) with -symbolize=none, exact
# mode is still exact, and the mapping carries the program's build ID so that pprof could
# symbolize it.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_go
command -v gcc >/dev/null 2>&1 || skip "gcc not installed"

gcc -std=gnu11 -O1 -fno-omit-frame-pointer -fno-inline -D_GNU_SOURCE -I"$LIBLEAK_ROOT/include" \
  -o nodebug "$LIBLEAK_ROOT/tests/programs/hello_alloc.c" || fail "cannot build hello_alloc without -g"
gcc -std=gnu11 -O1 -g -fno-omit-frame-pointer -fno-inline -D_GNU_SOURCE -I"$LIBLEAK_ROOT/include" \
  -o stripped "$LIBLEAK_ROOT/tests/programs/hello_alloc.c" && strip --strip-debug stripped \
  || fail "cannot build and strip hello_alloc"
gcc -std=gnu11 -O1 -g -no-pie -fno-pie -fno-omit-frame-pointer -fno-inline -D_GNU_SOURCE -I"$LIBLEAK_ROOT/include" \
  -o nopie "$LIBLEAK_ROOT/tests/programs/hello_alloc.c" || fail "cannot build hello_alloc with -no-pie"
for program in nodebug stripped nopie; do
  timeout 30 env LIBLEAK_RATE=1 LIBLEAK_OUT="$program.pb.gz" LD_PRELOAD="$LIBLEAK_SO" "./$program" >"$program.out" 2>"$program.err"
  rc=$?
  cat "$program.err" >&2
  assert_eq 0 "$rc" "$program: exit status"
  pprof_raw "$program.pb.gz" "$program.raw"
  set -- $(site_values "$program.raw" hello_keep)
  assert_eq "100 100000" "$3 $4" "$program: hello_keep (named from the symbol table) in use"
  gopprof -top -symbolize=none "$program.pb.gz" 2>/dev/null | grep -q ' hello_keep$' \
    || fail "$program: hello_keep not named in pprof -top -symbolize=none"
  build_id=$(readelf -n "$program" | sed -n 's/.*Build ID: *//p')
  sed -n '/^Mappings/{n;p;q}' "$program.raw" | grep -q "$build_id" \
    || fail "$program: the first mapping lacks the build ID $build_id: $(sed -n '/^Mappings/,$p' "$program.raw" | head -n 3)"
  echo "ok: $program: hello_keep named, 100 blocks / 100000 bytes, build ID $build_id"
done
