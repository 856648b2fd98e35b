#!/bin/bash
# SIGUSR2 sent without pause right through the program's exit: the program exits 0 with its
# normal output, every profile that appears is whole, and no temporary file is left behind
# (a snapshot must not be started, or must be finished or removed, once the exit profile is
# written). 40 runs, because the window is short.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog snapshot_target; require_go

touch go; "$TESTBIN/snapshot_target" >expected.txt; rm go
for run in $(seq 40); do
  env LIBLEAK_OUT='e.%p.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/snapshot_target" >"out.$run" 2>"err.$run" &
  pid=$!
  wait_for_line "out.$run" ready 30 || { kill -9 $pid; fail "run $run: snapshot_target never became ready"; }
  ( while kill -USR2 $pid 2>/dev/null; do :; done ) &
  flood=$!
  sleep 0.1
  touch go
  finish $pid 30 "run $run: snapshot_target under a flood of SIGUSR2"
  wait $flood
  rm -f go
  assert_eq 0 "$rc" "run $run: exit status"
  assert_eq "$(cat expected.txt)" "$(cat "out.$run")" "run $run: stdout"
done
stray=$(ls -A | grep -v -e '^e\.[0-9]*\.[0-9]*\.pb\.gz$' -e '^out\.' -e '^err\.' -e '^expected\.txt$' -e '^\.gohome$')
[ -z "$stray" ] || fail "left behind after 40 runs with signals through exit: $(echo $stray)"
for f in $(ls e.*.pb.gz | awk 'NR % 10 == 1'); do pprof_raw "$f" "$f.raw"; done   # a sample of them
echo "ok: 40 runs, $(ls e.*.pb.gz | wc -l) profiles, nothing left behind"
