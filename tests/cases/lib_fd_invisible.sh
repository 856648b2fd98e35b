#!/bin/bash
# The program's descriptor table holds nothing of libleak's: /proc/self/fd, listed by the
# program at main and in an atexit handler, is the bare run's list under the library at its
# default rate and under the leak gate (which once kept a copy of stderr there as fd 1000, for
# its report at exit). And no table of ours holds the program's stderr: a program that closes
# it while it runs gives its reader EOF at once, not when it exits. The gate's report still
# reaches a stderr closed on the way out (gate_leaks closestderr, as coreutils' close_stdout)
# when it was a terminal or a file, opened again by its name; a pipe's goes to libleak.PID.log.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog fd_list gate_leaks
P=$TESTBIN/fd_list

# list NAME ENV=VAL...: fd_list's lists, with the run's own directory and pipe numbers masked.
list() {
  local name=$1; shift
  mkdir -p "$name"
  (cd "$name" && timeout 60 env "$@" "$P" list >out 2>err; echo $? >status)
  assert_eq 0 "$(cat "$name/status")" "$name: exit status"
  sed -E "s#$PWD/$name/#DIR/#; s/(pipe|socket):\[[0-9]+\]/\1/" "$name/out" >"$name/list"
}

list bare
grep -q '^main: 1 -> DIR/out$' bare/list || fail "bare: the list does not show stdout: $(cat bare/list)"
grep -q '^atexit: 2 -> DIR/err$' bare/list || fail "bare: the atexit list does not show stderr: $(cat bare/list)"
list sampling LD_PRELOAD="$LIBLEAK_SO"
list gate LIBLEAK_CHECK=1 LD_PRELOAD="$LIBLEAK_SO"
list gate_log LIBLEAK_CHECK=1 LIBLEAK_LOG=r.%p.log LD_PRELOAD="$LIBLEAK_SO"
for name in sampling gate gate_log; do
  cmp -s bare/list $name/list || fail "$name: the program sees other descriptors than bare: $(diff bare/list $name/list)"
done
echo "ok: /proc/self/fd at main and at exit is the bare run's, at the default rate and under the gate"

# stderr closed by a program that goes on running: its reader sees EOF at once (the program
# sleeps 3 s after closing it).
mkfifo errpipe
LIBLEAK_CHECK=1 LD_PRELOAD="$LIBLEAK_SO" "$P" close-wait 2>errpipe &
program=$!
start=$(date +%s%N)
timeout 30 cat errpipe >/dev/null
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
wait $program
assert_eq 0 $? "close-wait: exit status"
[ $elapsed_ms -lt 2000 ] || fail "the reader of the closed stderr saw EOF only after ${elapsed_ms} ms (the program closed it at once and exited after 3 s): something still holds it"
echo "ok: a closed stderr's reader sees EOF after ${elapsed_ms} ms, not at exit"

# stderr closed on the way out: a terminal (script's pty) still shows the report; a pipe,
# which has no name to open, sends it to libleak.PID.log beside the profiles.
if command -v script >/dev/null; then
  mkdir -p pty && (cd pty && timeout 60 script -qec "env LIBLEAK_CHECK=1 LD_PRELOAD='$LIBLEAK_SO' '$TESTBIN/gate_leaks' closestderr" typescript </dev/null >/dev/null)
  assert_eq 23 $? "closestderr on a terminal: exit status"
  grep -q 'libleak: LEAK SUMMARY:' pty/typescript || fail "closestderr on a terminal: no report there: $(cat pty/typescript)"
  echo "ok: closestderr on a terminal: the report on the terminal"
else
  echo "no script(1): the terminal case is not run"
fi
mkdir -p pipe && (cd pipe && timeout 60 env LIBLEAK_CHECK=1 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/gate_leaks" closestderr 2>&1 >/dev/null | cat >err; exit "${PIPESTATUS[0]}")
assert_eq 23 $? "closestderr on a pipe: exit status"
assert_eq "" "$(cat pipe/err)" "closestderr on a pipe: what came through the pipe"
grep -q 'libleak: LEAK SUMMARY:' pipe/libleak.*.log || fail "closestderr on a pipe: no report in libleak.PID.log: $(ls pipe)"
echo "ok: closestderr on a pipe: the report in $(cd pipe && ls libleak.*.log)"
