#!/bin/bash
# LIBLEAK_INTERVAL=1 (one second) writes snapshots on its own while the program runs — also
# with LIBLEAK_SIGNAL=none — each whole and exact; bad durations get the one-line message.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog snapshot_target hello_alloc; require_go

for signal in USR2 none; do
  mkdir "$signal" && cd "$signal" || exit 1
  env LIBLEAK_INTERVAL=1 LIBLEAK_SIGNAL=$signal LIBLEAK_RATE=1 LIBLEAK_AT_EXIT=0 LIBLEAK_OUT='tick.%n.pb.gz' \
    LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/snapshot_target" >target.out 2>target.err &
  pid=$!
  wait_for_line target.out ready 30 || { kill -9 $pid; fail "signal $signal: snapshot_target never became ready"; }
  sleep 3.5
  touch go
  finish $pid 30 "signal $signal: snapshot_target"
  cat target.err >&2
  assert_eq 0 "$rc" "signal $signal: exit status"
  files=(tick.*.pb.gz)
  [ -e "${files[0]}" ] || fail "signal $signal: no periodic snapshot in 3.5 s with LIBLEAK_INTERVAL=1"
  [ ${#files[@]} -ge 2 ] && [ ${#files[@]} -le 6 ] || fail "signal $signal: ${#files[@]} snapshots in about 3.5 s at one a second"
  for f in "${files[@]}"; do
    pprof_raw "$f" "$f.raw"
    check_expectations "$f.raw" target.out truth >/dev/null
  done
  echo "ok: LIBLEAK_INTERVAL=1, LIBLEAK_SIGNAL=$signal: ${#files[@]} exact snapshots"
  cd ..
done

for value in soon 8d -1; do
  timeout 30 env LIBLEAK_INTERVAL=$value LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" >out.txt 2>err.txt \
    || fail "LIBLEAK_INTERVAL=$value: hello_alloc failed"
  assert_eq 1 "$(wc -l <err.txt)" "LIBLEAK_INTERVAL=$value: lines on stderr ($(cat err.txt))"
  assert_contains "$(cat err.txt)" "LIBLEAK_INTERVAL" "LIBLEAK_INTERVAL=$value: the message names the variable"
  assert_contains "$(cat err.txt)" "$value" "LIBLEAK_INTERVAL=$value: the message shows the value"
done
echo "ok: bad LIBLEAK_INTERVAL values get one line each"
