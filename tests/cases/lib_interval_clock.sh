#!/bin/bash
# LIBLEAK_INTERVAL deadlines are on CLOCK_MONOTONIC: with CLOCK_REALTIME reading an hour ahead
# (tests/libraries/realtime_ahead.c, as if the wall clock had been set forward), LIBLEAK_INTERVAL=1
# still writes about one snapshot a second. (Deadlines computed from CLOCK_REALTIME and waited
# for on the kernel's realtime clock would lie an hour away: no snapshot.)
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog snapshot_target; require_go
shim=$TESTBIN/librealtime_ahead.so
[ -f "$shim" ] || fail "$shim not built (run make test-programs)"

env LIBLEAK_INTERVAL=1 LIBLEAK_AT_EXIT=0 LIBLEAK_OUT='tick.%n.pb.gz' LD_PRELOAD="$shim $LIBLEAK_SO" \
  "$TESTBIN/snapshot_target" >target.out 2>target.err &
pid=$!
wait_for_line target.out ready 30 || { kill -9 $pid; fail "snapshot_target never became ready"; }
sleep 2.5
touch go
finish $pid 30 "snapshot_target"
cat target.err >&2
assert_eq 0 "$rc" "exit status"
files=(tick.*.pb.gz)
[ -e "${files[0]}" ] || fail "no periodic snapshot in 2.5 s with LIBLEAK_INTERVAL=1 while CLOCK_REALTIME reads an hour ahead"
for f in "${files[@]}"; do pprof_raw "$f" "$f.raw"; done
echo "ok: ${#files[@]} periodic snapshots in about 2.5 s with the wall clock an hour ahead"
