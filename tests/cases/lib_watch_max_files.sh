#!/bin/bash
# LIBLEAK_MAX_FILES=3: of 10 libleak_dump snapshots and the exit profile only 3 ordinary
# snapshots stay — the first (the base of every comparison) and the newest two — while the
# peak profile (LIBLEAK_PEAK=1) is neither counted nor removed. Without the variable all stay.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog dump_many hello_alloc

mkdir bounded && cd bounded || exit 1
timeout 60 env LIBLEAK_MAX_FILES=3 LIBLEAK_PEAK=1 LIBLEAK_RATE=1 LIBLEAK_OUT='snap.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" \
  "$TESTBIN/dump_many" 10 >out.txt 2>err.txt || fail "dump_many failed: $(cat err.txt)"
[ -s err.txt ] && fail "unexpected stderr: $(cat err.txt)"
assert_eq "snap.0001.pb.gz snap.0010.pb.gz snap.0011.pb.gz snap.peak.pb.gz" "$(echo snap.*.pb.gz)" "files left with LIBLEAK_MAX_FILES=3"
echo "ok: LIBLEAK_MAX_FILES=3 left $(echo snap.*.pb.gz)"
cd ..

mkdir unbounded && cd unbounded || exit 1
timeout 60 env LIBLEAK_OUT='snap.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/dump_many" 10 >out.txt 2>err.txt \
  || fail "dump_many failed: $(cat err.txt)"
files=(snap.*.pb.gz)
assert_eq 11 "${#files[@]}" "files without LIBLEAK_MAX_FILES"
cd ..

for value in 1 many; do
  timeout 30 env LIBLEAK_MAX_FILES=$value LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" >out.txt 2>err.txt \
    || fail "LIBLEAK_MAX_FILES=$value: hello_alloc failed"
  assert_eq 1 "$(wc -l <err.txt)" "LIBLEAK_MAX_FILES=$value: lines on stderr ($(cat err.txt))"
  assert_contains "$(cat err.txt)" "LIBLEAK_MAX_FILES=\"$value\"" "LIBLEAK_MAX_FILES=$value: the message"
done
echo "ok: bad LIBLEAK_MAX_FILES values get one line each"
