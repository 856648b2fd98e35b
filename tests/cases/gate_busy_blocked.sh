#!/bin/bash
# A thread that blocks every signal and computes when main returns cannot be stopped for the
# scan, nor its stack pointer read (it is running). The gate then scans its stack mapping
# whole (without its registers): its block is still reachable, the exit status stays 0, and
# the line on stderr says what was done. It used to say "its stack is not scanned" while the
# stack was scanned, and the gate waited ~5 s (8 s on a loaded machine) for a stop that cannot
# come; it now gives up on a thread that keeps the signal blocked (not asserted here: timing).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog busy_blocked

gate_run busy -- "$TESTBIN/busy_blocked"
cat busy.out busy.err
assert_eq 0 "$gate_rc" "exit status"
assert_eq "busy_blocked: returning from main" "$(cat busy.out)" "stdout"
assert_summary busy.err "0 0" "0 0" "0 0" "busy_blocked"
reachable=$(summary_of busy.err "still reachable")
[ "${reachable% *}" -ge 4096 ] || fail "the thread's 4096-byte block is not still reachable: $reachable"
grep -q 'did not stop' busy.err || fail "no line about the thread that did not stop"
grep 'did not stop' busy.err | grep -q 'is not scanned' && fail "the line says the stack is not scanned, yet it was"
grep 'did not stop' busy.err | grep -q 'scanned whole' || fail "the line does not say the stack was scanned whole"
echo "ok: a busy thread with signals blocked: its block still reachable ($reachable), the line says how"
