#!/bin/bash
# The program returns from main while six threads still allocate, reallocate and free: the
# exit profile is written amid that traffic, the process exits 0 with its normal output, never
# crashes or hangs, and the profile is whole — six times each at the default rate and in exact
# mode (races are not caught by one run).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog busy_exit; require_go

for rate in default 1; do
  envs=(); [ $rate = default ] || envs=(LIBLEAK_RATE=$rate)
  for run in $(seq 6); do
    dir=rate_$rate.$run; mkdir "$dir"
    (cd "$dir" && timeout -k 5 30 env "${envs[@]}" LIBLEAK_OUT=exit.pb.gz LD_PRELOAD="$LIBLEAK_SO" \
       "$TESTBIN/busy_exit" 100 >out.txt 2>err.txt)
    rc=$?
    cat "$dir/err.txt" >&2
    [ $rc = 124 ] || [ $rc = 137 ] && fail "rate $rate, run $run: hung at exit"
    assert_eq 0 "$rc" "rate $rate, run $run: exit status"
    assert_eq bye "$(cat "$dir/out.txt")" "rate $rate, run $run: stdout"
    [ -e "$dir/exit.pb.gz" ] || fail "rate $rate, run $run: no exit profile"
  done
  # pprof is slow to start: read two of them.
  for run in 1 6; do pprof_raw "rate_$rate.$run/exit.pb.gz" "rate_$rate.$run/exit.raw"; done
  echo "ok: rate $rate: 6 busy exits, exit 0, profiles whole"
done
