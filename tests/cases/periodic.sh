#!/bin/bash
# LIBLEAK_INTERVAL writes snapshots on its own, with no signal (even with LIBLEAK_SIGNAL=none),
# numbered in order; pprof reads each one; a bad value gets its one line and none are written.
. "$LIBLEAK_ROOT/tests/lib.sh"
LIBLEAK_INTERVAL=1s LIBLEAK_SIGNAL=none LIBLEAK_AT_EXIT=0 LIBLEAK_OUT="$TEST_TMP/per.%n.pb.gz" \
  LD_PRELOAD="$LIBLEAK_SO" sleep 3.6 2>err.txt || fail "sleep under the library failed: $(cat err.txt)"
n=$(ls per.*.pb.gz 2>/dev/null | wc -l)
[ "$n" -ge 2 ] && [ "$n" -le 4 ] || fail "expected about 3 periodic snapshots in 3.6 s, found $n: $(ls)"
[ -f per.0001.pb.gz ] && [ -f per.0002.pb.gz ] || fail "snapshots are not numbered from 0001: $(ls)"
[ -s err.txt ] && fail "unexpected stderr: $(cat err.txt)"
if have_go; then
  for f in per.*.pb.gz; do gopprof -raw "$f" >/dev/null 2>&1 || fail "pprof cannot read $f"; done
fi
LIBLEAK_INTERVAL=soon LIBLEAK_AT_EXIT=0 LIBLEAK_OUT="$TEST_TMP/bad.%n.pb.gz" LD_PRELOAD="$LIBLEAK_SO" sleep 1.2 2>bad.txt
assert_eq 1 "$(wc -l < bad.txt)" "lines on stderr for LIBLEAK_INTERVAL=soon"
assert_contains "$(cat bad.txt)" 'LIBLEAK_INTERVAL="soon"' "message names the variable and value"
assert_contains "$(cat bad.txt)" "using 0" "message says what is used instead"
[ -z "$(ls bad.*.pb.gz 2>/dev/null)" ] || fail "a bad interval still wrote snapshots"
