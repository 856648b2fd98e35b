#!/bin/bash
# exit() called by several threads at once: the exit sequence runs once and to its end, so the
# leak gate always reports and fails the run (status 23), and without the gate the exit profile
# is always written. glibc's second exit() ends the process with _exit while the first is
# still running destructors, which lost both in most runs.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog multi_exit

for run in $(seq 1 8); do
  gate_run "gate$run" -- "$TESTBIN/multi_exit"
  assert_eq 23 "$gate_rc" "run $run: exit status under the gate ($(tail -n 2 "gate$run.err" | tr '\n' ' '))"
  assert_eq "4321 1" "$(summary_of "gate$run.err" "definitely lost")" "run $run: definitely lost"
  mkdir -p "plain$run"
  (cd "plain$run" && timeout 60 env LIBLEAK_OUT='x.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/multi_exit" 2>err.txt)
  assert_eq 0 $? "run $run: exit status without the gate"
  [ -s "plain$run/x.0001.pb.gz" ] || fail "run $run: no exit profile: $(ls "plain$run") $(cat "plain$run/err.txt")"
  "$LEAKPROF" top "plain$run/x.0001.pb.gz" >/dev/null || fail "run $run: the exit profile is not whole"
done
echo "ok: 8 runs, each reported and profiled"
