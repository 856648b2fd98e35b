#!/bin/bash
# Two exits that wait for each other (issue 19, item 3): main's exit() runs an atexit handler
# that joins a worker, and the worker calls exit(3). Bare glibc before 2.37 (no exit lock)
# lets the worker finish the exit: status 3, both buffered lines flushed. Under the library the
# result must be the same — no hang, same stdout, same status — and the exit sequence still
# runs once: one exit profile, one leak-gate report. Every run is bounded by timeout.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog exit_joins_exiting

timeout 20 "$TESTBIN/exit_joins_exiting" >bare.out 2>bare.err
bare_rc=$?
[ $bare_rc = 124 ] && skip "exit_joins_exiting hangs bare (a glibc with an exit lock): nothing to compare"
assert_eq 3 "$bare_rc" "bare exit status"
echo "bare: status $bare_rc, stdout: $(tr '\n' '|' <bare.out)"

for run in 1 2 3 4 5; do
  mkdir "plain$run"
  (cd "plain$run" && timeout 20 env LIBLEAK_OUT='x.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" \
     "$TESTBIN/exit_joins_exiting" >out.txt 2>err.txt)
  rc=$?
  [ $rc = 124 ] && fail "run $run: hung under the library (killed after 20 s); stdout: $(cat "plain$run/out.txt")"
  assert_eq "$bare_rc" "$rc" "run $run: exit status under the library"
  assert_eq "$(cat bare.out)" "$(cat "plain$run/out.txt")" "run $run: stdout"
  assert_eq "" "$(cat "plain$run/err.txt")" "run $run: stderr"
  profiles=$(cd "plain$run" && ls x.*.pb.gz 2>/dev/null | tr '\n' ' ')
  assert_eq "x.0001.pb.gz " "$profiles" "run $run: the exit profiles written"
  "$LEAKPROF" top "plain$run/x.0001.pb.gz" >/dev/null || fail "run $run: the exit profile is not whole"

  mkdir "gate$run"
  (cd "gate$run" && timeout 20 env LIBLEAK_CHECK=1 LD_PRELOAD="$LIBLEAK_SO" \
     "$TESTBIN/exit_joins_exiting" >out.txt 2>err.txt)
  rc=$?
  [ $rc = 124 ] && fail "run $run: hung under the gate (killed after 20 s)"
  assert_eq "$bare_rc" "$rc" "run $run: exit status under the gate (the program's own 3 is kept)"
  assert_eq "$(cat bare.out)" "$(cat "gate$run/out.txt")" "run $run: stdout under the gate"
  assert_eq 1 "$(grep -c 'LEAK SUMMARY' "gate$run/err.txt")" "run $run: leak reports"
  assert_contains "$(cat "gate$run/err.txt")" "definitely lost: 4,321 bytes in 1 blocks" "run $run: the gate's verdict"
done
echo "ok: 5 runs: status 3, stdout as bare, one exit profile, one gate report"
