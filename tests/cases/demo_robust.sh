#!/bin/bash
# examples/demo.sh fails clearly and leaves nothing running: with a library that never writes
# a profile it says so within seconds (instead of printing an empty diff), and when the demo
# itself is stopped midway its server goes with it.
. "$LIBLEAK_ROOT/tests/lib.sh"
[ -x "$BUILD/examples/leaky_server" ] || fail "$BUILD/examples/leaky_server not built (run make examples)"
command -v cc >/dev/null || skip "no C compiler for the stand-in library"
demo=$LIBLEAK_ROOT/examples/demo.sh

# our_servers DIR: pids of processes started with LIBLEAK_OUT inside DIR.
our_servers() {
  local env_file
  for env_file in /proc/[0-9]*/environ; do
    tr '\0' '\n' <"$env_file" 2>/dev/null | grep -q "^LIBLEAK_OUT=$1/" && echo "${env_file//[!0-9]/}"
  done
  return 0
}

# A stand-in for libleak.so that ignores SIGUSR2 and writes nothing.
cat >deaf.c <<'C'
#include <signal.h>
__attribute__((constructor)) static void ignore_usr2(void) { signal(SIGUSR2, SIG_IGN); }
C
cc -shared -fPIC -o deaf.so deaf.c || fail "could not build the stand-in library"

start=$(date +%s)
DEMO_LIBLEAK=$TEST_TMP/deaf.so DEMO_OUT=$TEST_TMP/deaf timeout 60 "$demo" >deaf.out 2>deaf.err
rc=$?
cat deaf.out deaf.err
[ "$rc" != 0 ] || fail "the demo succeeded although the library wrote no profile"
[ "$rc" != 124 ] || fail "the demo hung with a library that writes no profile"
assert_contains "$(cat deaf.err)" "wrote no profile" "the demo's message for a silent library"
[ $(( $(date +%s) - start )) -le 30 ] || fail "the demo took more than 30 s to give up"
assert_eq "" "$(our_servers "$TEST_TMP/deaf")" "servers left running after the failed demo"

# Stopped midway (after about two snapshots), the demo takes its server down with it.
[ -f "$LIBLEAK_SO" ] || skip "$LIBLEAK_SO not built: the interruption half needs it"
DEMO_OUT=$TEST_TMP/stopped "$demo" >stopped.out 2>stopped.err &
demo_pid=$!
wait_for_snapshot() {
  for _ in $(seq 200); do
    compgen -G "$TEST_TMP/stopped/leaky_server.*.heap.pb.gz" >/dev/null && return 0
    sleep 0.05
  done
  return 1
}
wait_for_snapshot || { kill $demo_pid; fail "the demo took no snapshot within 10 s: $(cat stopped.err)"; }
kill -TERM $demo_pid
timeout 10 tail --pid=$demo_pid -f /dev/null || fail "the demo did not stop within 10 s of SIGTERM"
wait $demo_pid
echo "demo stopped with status $?"
assert_eq "" "$(our_servers "$TEST_TMP/stopped")" "servers left running after the demo was stopped"

# With no reader that works, the demo says so and fails (DEMO_READER=go skips leakprof; a
# stand-in `go` that fails comes first in PATH).
mkdir -p fakebin
printf '#!/bin/sh\necho "go: stand-in that always fails" >&2; exit 1\n' >fakebin/go
chmod +x fakebin/go
DEMO_OUT=$TEST_TMP/noreader DEMO_READER=go PATH=$TEST_TMP/fakebin:$PATH "$demo" >noreader.out 2>&1
rc=$?
cat noreader.out
[ "$rc" != 0 ] || fail "the demo succeeded although no reader could read the profiles"
assert_contains "$(cat noreader.out)" "could read the profiles" "the demo's message without a reader"
assert_eq "" "$(our_servers "$TEST_TMP/noreader")" "servers left running after the demo without a reader"
