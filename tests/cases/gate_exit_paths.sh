#!/bin/bash
# How a program ends decides what the leak gate checks (docs/GATE.md, "What the gate promises,
# and its limits"; tests/programs/gate_exit_paths.c leaks 400 bytes, then ends):
# - quick_exit runs the at_quick_exit handlers and then _exit: the gate checks after the
#   program's handlers (ours is the last), with the status quick_exit was given (23 for 0, the
#   program's own otherwise), and does not flush stdio, which quick_exit does not either; the
#   exit profile is written there too;
# - _exit is not checked (a fork child after a failed exec, a program skipping its cleanup on
#   purpose): status as given, nothing on stderr, no exit profile.
# The leak corpus' quick_exit_clean and quick_exit_leak compare the gate with memcheck there.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog gate_exit_paths
P=$TESTBIN/gate_exit_paths

# Bare, for the program's own output: the handler's line, and "unflushed" lost.
"$P" quick >bare_quick.out 2>&1
assert_eq 0 "$?" "bare quick_exit(0): status"
assert_eq "handler ran" "$(cat bare_quick.out)" "bare quick_exit: stdout"

gate_run quick -- "$P" quick
cat quick.err
assert_eq 23 "$gate_rc" "quick_exit(0) with a leak: status"
assert_summary quick.err "400 1" "0 0" "0 0" "quick_exit(0)"
grep -A1 'loss record 1 of 1' quick.err | grep -q ' in leak_before_exit ' || fail "quick_exit: the record's first frame is not leak_before_exit"
assert_eq "$(cat bare_quick.out)" "$(cat quick.out)" "quick_exit under the gate: stdout as bare (the handler ran, stdio not flushed)"
echo "ok: quick_exit(0): checked after the program's handlers, 23, stdout unchanged"

gate_run quick5 -- "$P" quick 5
assert_eq 5 "$gate_rc" "quick_exit(5) with a leak: status"
assert_summary quick5.err "400 1" "0 0" "0 0" "quick_exit(5)"
grep -q 'own exit status is not 0 and is kept' quick5.err || fail "quick_exit(5): no line saying the status is kept: $(cat quick5.err)"
echo "ok: quick_exit(5): checked, keeps its status 5"

# The exit profile, outside the gate, at quick_exit: the leak is in use there.
LIBLEAK_RATE=1 LIBLEAK_OUT="$PWD/quick.%n.heap" LD_PRELOAD="$LIBLEAK_SO" "$P" quick >/dev/null 2>profile.err
[ -s quick.0001.heap ] || fail "no exit profile at quick_exit: $(cat profile.err)"
"$LEAKPROF" top --focus leak_before_exit quick.0001.heap >top.txt 2>&1 || fail "leakprof top: $(cat top.txt)"
grep -Eq '^ +400B .* leak_before_exit$' top.txt || fail "the exit profile does not hold leak_before_exit's 400 bytes: $(cat top.txt)"
echo "ok: quick_exit writes the exit profile"

# _exit: not checked, by decision.
gate_run underscore -- "$P" _exit
assert_eq 0 "$gate_rc" "_exit(0) with a leak: status"
[ -s underscore.err ] && fail "_exit: the gate said something: $(cat underscore.err)"
assert_eq "" "$(cat underscore.out)" "_exit: stdout (nothing flushed)"
LIBLEAK_RATE=1 LIBLEAK_OUT="$PWD/underscore.%n.heap" LD_PRELOAD="$LIBLEAK_SO" "$P" _exit >/dev/null 2>&1
ls underscore.*.heap >/dev/null 2>&1 && fail "_exit wrote an exit profile"
echo "ok: _exit(0): not checked, status 0, silent, no exit profile"

# exit, for contrast: flushed, checked.
gate_run plain -- "$P" exit
assert_eq 23 "$gate_rc" "exit(0) with a leak: status"
assert_eq "unflushed" "$(cat plain.out)" "exit: stdout flushed"
echo "ok: exit(0): checked, stdio flushed"
