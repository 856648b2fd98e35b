#!/bin/bash
# main ends with pthread_exit (issue 15, case 1): the process must end when its last thread
# does, as bare, in every mode. The dumper thread used to be counted by glibc as one of the
# program's threads: the process then hung for ever once the worker was done, and SIGTERM
# could not end it (the dumper blocks every signal). Also: a snapshot asked for by signal after
# main is gone is written, the buffered stdout is flushed by the last thread's exit, and the
# exit profile still names the program (its maps are read through /proc/thread-self: the
# leader's /proc/self/maps is empty once main has exited). Every run is bounded by timeout.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog main_exits_first

# run NAME ENV...: runs the program in NAME/, creating NAME/go once main has gone (after a
# snapshot signal when the library is there); status in NAME/status.
run() {
  local name=$1; shift
  mkdir "$name"
  env "$@" "$TESTBIN/main_exits_first" "$name" >"$name/out" 2>"$name/err" &
  local pid=$!
  (sleep 30; kill -KILL $pid 2>/dev/null) & # not timeout(1): the snapshot signal must reach the program
  local watchdog=$!
  for _ in $(seq 1000); do [ -e "$name/main_gone" ] && break; sleep 0.01; done
  [ -e "$name/main_gone" ] || fail "$name: the worker never saw main exit"
  if [ "$name" != bare ]; then
    kill -USR2 "$pid" 2>/dev/null
    for _ in $(seq 1000); do ls "$name"/snap.*.pb.gz >/dev/null 2>&1 && break; sleep 0.01; done
  fi
  touch "$name/go"
  wait "$pid"
  echo $? >"$name/status"
  kill $watchdog 2>/dev/null
}

run bare
assert_eq 0 "$(cat bare/status)" "bare exit status"
for mode in sampled exact gate; do
  case $mode in
    sampled) envs=(LIBLEAK_OUT="$PWD/$mode/snap.%n.pb.gz") ;;
    exact) envs=(LIBLEAK_RATE=1 LIBLEAK_OUT="$PWD/$mode/snap.%n.pb.gz") ;;
    gate) envs=(LIBLEAK_CHECK=1 LIBLEAK_OUT="$PWD/$mode/snap.%n.pb.gz") ;;
  esac
  run $mode "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO"
  status=$(cat $mode/status)
  [ "$status" = 137 ] && fail "$mode: hung (killed after 30 s): $(cat $mode/err)"
  assert_eq "$(cat bare/out)" "$(cat $mode/out)" "$mode: stdout (flushed by the last thread's exit)"
  assert_eq "" "$(cat $mode/err)" "$mode: stderr"
  assert_eq 0 "$status" "$mode: exit status"
  profiles=$(cd $mode && ls snap.*.pb.gz | tr '\n' ' ')
  expected="snap.0001.pb.gz snap.0002.pb.gz " last=snap.0002.pb.gz
  [ $mode = gate ] && expected="snap.0001.pb.gz " last=snap.0001.pb.gz # no exit profile of a clean run
  assert_eq "$expected" "$profiles" "$mode: the signal's snapshot and the exit profile"
  "$LEAKPROF" info "$mode/$last" >$mode/info || fail "$mode: $last is not whole"
  if [ $mode != sampled ]; then # (sampled: nothing was, and the exit profile is empty by design)
    assert_contains "$(cat $mode/info)" "main_exits_first" "$mode: the exit profile names the program"
    "$LEAKPROF" top "$mode/$last" >$mode/top || fail "$mode: leakprof top"
    assert_contains "$(cat $mode/top)" "worker" "$mode: the kept block's stack is named"
  fi
  echo "ok: $mode: ended with the worker, status 0, stdout as bare, profiles: $profiles"
done
