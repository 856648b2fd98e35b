#!/bin/bash
# LIBLEAK_STOP_SIGNAL: the leak gate's stop signal where ptrace is refused (deny_ptrace: a
# seccomp filter, as in containers). sigpwr_poller takes SIGPWR, the default, for itself: every
# thread blocks it and a worker computes and polls for it with sigtimedwait. Sent SIGPWR, that
# running worker cannot stop and later takes our signal as its own ("power notice"). With
# LIBLEAK_STOP_SIGNAL=USR1 (or a real-time signal) it is stopped like any thread: the program
# sees nothing, and the verdict is right (main's 321 bytes definitely lost, the worker's 700
# bytes on its stack still reachable, 23). Bad values get one line naming the variable, the
# value and PWR, used instead.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog sigpwr_poller deny_ptrace gate_leaks

for signal in USR1 SIGUSR1 40; do
  for run in 1 2; do
    name=sig_${signal}_$run
    gate_run "$name" LIBLEAK_STOP_SIGNAL=$signal -- "$TESTBIN/deny_ptrace" "$TESTBIN/sigpwr_poller"
    [ -s "$name.out" ] && fail "LIBLEAK_STOP_SIGNAL=$signal: the program saw a signal of ours: $(cat "$name.out")"
    assert_eq 23 "$gate_rc" "LIBLEAK_STOP_SIGNAL=$signal: exit status"
    assert_summary "$name.err" "321 1" "0 0" "0 0" "LIBLEAK_STOP_SIGNAL=$signal"
    reachable=$(summary_of "$name.err" "still reachable")
    [ "${reachable% *}" -ge 700 ] || fail "LIBLEAK_STOP_SIGNAL=$signal: the worker's 700 bytes are not still reachable: $reachable"
    grep 'did not stop\|LIBLEAK_STOP_SIGNAL' "$name.err" && fail "LIBLEAK_STOP_SIGNAL=$signal: $(cat "$name.err")"
  done
  echo "ok: LIBLEAK_STOP_SIGNAL=$signal: the worker was stopped, saw nothing; 321 bytes lost, 23"
done

# The default, for the record (not asserted: the worker may be caught inside sigtimedwait,
# and is then scanned without a signal).
gate_run default -- "$TESTBIN/deny_ptrace" "$TESTBIN/sigpwr_poller"
echo "note: with the default SIGPWR: status $gate_rc, program's output: '$(tr '\n' ' ' <default.out)'"

# Accepted: no line.
for value in PWR sigpwr 30 usr2:LIBLEAK_SIGNAL=none 12:LIBLEAK_SIGNAL=USR1 34; do
  extra=(); [ "${value#*:}" != "$value" ] && extra=("${value#*:}")
  gate_run good "${extra[@]}" LIBLEAK_STOP_SIGNAL="${value%%:*}" -- "$TESTBIN/gate_leaks" none
  assert_eq 0 "$gate_rc" "LIBLEAK_STOP_SIGNAL=$value: status"
  grep LIBLEAK_ good.err && fail "LIBLEAK_STOP_SIGNAL=$value: a line about a good value"
done
echo "ok: PWR, USR1, USR2 (by name or number) and real-time signals are taken"

# Refused: one line, PWR instead; the program runs on and is checked.
for value in KILL SIGSTOP 9 TERM SEGV 11 BUS ILL FPE PIPE CHLD 17 INT HUP 32 33 65 0 none "" 10x; do
  gate_run bad LIBLEAK_STOP_SIGNAL="$value" -- "$TESTBIN/gate_leaks" direct
  assert_eq 23 "$gate_rc" "LIBLEAK_STOP_SIGNAL=$value: the leak still fails the gate"
  lines=$(grep -c 'LIBLEAK_STOP_SIGNAL' bad.err)
  assert_eq 1 "$lines" "LIBLEAK_STOP_SIGNAL=$value: lines about it"
  grep -q "^libleak: LIBLEAK_STOP_SIGNAL=\"$value\" is not PWR, USR1, USR2, .*; using PWR\$" bad.err \
    || fail "LIBLEAK_STOP_SIGNAL=$value: $(grep LIBLEAK_STOP_SIGNAL bad.err)"
done
for pair in USR2: SIGUSR2: 12: USR1:LIBLEAK_SIGNAL=USR1 40:LIBLEAK_SIGNAL=40; do
  value=${pair%%:*}; extra=(); [ -n "${pair#*:}" ] && extra=("${pair#*:}")
  gate_run same "${extra[@]}" LIBLEAK_STOP_SIGNAL="$value" -- "$TESTBIN/gate_leaks" direct
  assert_eq 23 "$gate_rc" "LIBLEAK_STOP_SIGNAL=$value ${extra[*]}: status"
  grep -q "^libleak: LIBLEAK_STOP_SIGNAL=\"$value\" is the snapshot signal (LIBLEAK_SIGNAL); using PWR\$" same.err \
    || fail "LIBLEAK_STOP_SIGNAL=$value ${extra[*]}: $(grep LIBLEAK_ same.err)"
done
echo "ok: the refused ones and the snapshot signal get one line each, PWR is used"
