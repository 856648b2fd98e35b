#!/bin/bash
# libleak -p (issue 17): targets that exit while they are attached to. attach_server starts 4
# threads in malloc/free loops, prints "ready" and exits (status 3) when its stdin ends, 0 to
# 135 ms later; the wrapper is started on it at once, 30 times. Each run ends (timeout: never a
# hang) either attached, or with "exited during the attach", "no process with pid" or, caught
# while ld.so starts it, "has not loaded libc.so yet"; the
# program exits 3 every time, with its output whole; no wrapper crashes.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog attach_server

outcomes=""
for i in $(seq 30); do
  # stdin ends after 0 to 135 ms: the exit falls anywhere in the attach
  sleep "0.$(printf %03d $(( (i % 10) * 15 )))" | "$TESTBIN/attach_server" 4 >out.$i 2>err.$i &
  pid=$!
  said=$(timeout 20 "$BUILD/libleak" -p "$pid" --out "$PWD/exiting.$i.%n" 2>&1)
  status=$?
  wait "$pid"
  server_status=$?
  assert_eq 3 "$server_status" "run $i: the program's status (wrapper said: $said)"
  assert_eq "$(printf 'ready\nbye')" "$(cat out.$i)" "run $i: the program's output"
  case "$status:$said" in
    0:*"attached to process $pid"*) outcomes="$outcomes attached" ;;
    1:*"exited during the attach"*) outcomes="$outcomes exited" ;;
    1:*"no process with pid $pid"*) outcomes="$outcomes gone" ;;
    1:*"has not loaded libc.so yet"*) outcomes="$outcomes starting" ;;
    *) fail "run $i: wrapper status $status: $said" ;;
  esac
done
echo "outcomes:$outcomes"
