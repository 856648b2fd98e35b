#!/bin/bash
# A thread that blocks every signal and computes when main returns. With ptrace (the gate's
# first way, gate/tracer.c) it is stopped like any other thread, registers and all: its block
# is still reachable and nothing is said. Where ptrace is refused (deny_ptrace: a seccomp
# filter, as in containers), it cannot be stopped with a signal nor its stack pointer read (it
# is running): the gate then scans its stack mapping whole (without its registers), the exit
# status stays 0, and a line on stderr says what was done. The gate gives up waiting on a
# thread that keeps the signal blocked (not asserted here: timing).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog busy_blocked; require_prog deny_ptrace

check_run() {  # NAME: the common part of both runs
  cat "$1.out" "$1.err"
  assert_eq 0 "$gate_rc" "$1: exit status"
  assert_eq "busy_blocked: returning from main" "$(cat "$1.out")" "$1: stdout"
  assert_summary "$1.err" "0 0" "0 0" "0 0" "$1"
  reachable=$(summary_of "$1.err" "still reachable")
  [ "${reachable% *}" -ge 4096 ] || fail "$1: the thread's 4096-byte block is not still reachable: $reachable"
}

gate_run traced -- "$TESTBIN/busy_blocked"
check_run traced
grep 'did not stop' traced.err && fail "traced: a thread was not stopped"
echo "ok: stopped with ptrace: its block still reachable ($reachable), nothing said"

gate_run signals -- "$TESTBIN/deny_ptrace" "$TESTBIN/busy_blocked"
check_run signals
grep -q 'did not stop' signals.err || fail "signals: no line about the thread that did not stop"
grep 'did not stop' signals.err | grep -q 'is not scanned' && fail "signals: the line says the stack is not scanned, yet it was"
grep 'did not stop' signals.err | grep -q 'scanned whole' || fail "signals: the line does not say the stack was scanned whole"
echo "ok: ptrace refused: its block still reachable ($reachable), the line says how"
