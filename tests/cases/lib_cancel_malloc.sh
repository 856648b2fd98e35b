#!/bin/bash
# Nothing on the allocation path is a cancellation point (issue 19, item 7). cancel_malloc's 20
# threads loop over malloc and free with a deferred cancellation pending; bare, all 20 finish
# their loop and are cancelled at the pthread_testcancel after it. Under the library, at the
# default rate and in exact mode, the same: stdout, stderr and exit status as bare. (When the
# unwinder opened /proc/self/maps on a thread's first sample, 0 of 20 finished.)
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog cancel_malloc

timeout 60 "$TESTBIN/cancel_malloc" >bare.out 2>bare.err
assert_eq 0 "$?" "exit status bare"
assert_eq "20 of 20 threads finished their loop; 20 cancelled" "$(cat bare.out)" "stdout bare"

for rate in default 1; do
  envs=(LIBLEAK_OUT=exit$rate.pb.gz)
  [ $rate = default ] || envs+=(LIBLEAK_RATE=$rate)
  timeout 60 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/cancel_malloc" >$rate.out 2>$rate.err
  rc=$?
  cat $rate.err >&2
  assert_eq 0 "$rc" "exit status at rate $rate"
  assert_eq "$(cat bare.out)" "$(cat $rate.out)" "stdout at rate $rate (threads that died inside malloc)"
  assert_eq "$(cat bare.err)" "$(cat $rate.err)" "stderr at rate $rate"
  [ -s exit$rate.pb.gz ] || fail "rate $rate: no exit profile"
  echo "ok: rate $rate: $(cat $rate.out)"
done
