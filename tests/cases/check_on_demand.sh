#!/bin/bash
# Leak checks on demand, mid-run, in exact and gate mode (LIBLEAK_RATE=1, LIBLEAK_CHECK=1):
# check_grow leaks 10 blocks of 1000 bytes and a 64-byte head with its 128-byte child, is
# checked, leaks 15 blocks more, is checked again. Each check's summary holds exactly what was
# lost by then, libleak_check_now() returns the definitely and indirectly lost bytes, the
# program's stdout and status (7) are its own, the exit gate still runs, and leakprof diff of
# the two checks' profiles shows the 15,000 new bytes at leak_block. The check signal
# (LIBLEAK_CHECK_SIGNAL) does the same through the dumper thread; a check signal that is the
# snapshot or the stop signal is refused with one line.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog check_grow

"$TESTBIN/check_grow" call >plain.out 2>/dev/null
assert_eq 7 "$?" "without libleak: status"

# summary_nth FILE N: "D DB I IB P PB" of the Nth LEAK SUMMARY in FILE
summary_nth() {
  awk -v n="$2" '
      function grab(line,   parts) { sub(/^.*lost: /, "", line); gsub(/,/, "", line); split(line, parts, " "); return parts[1] " " parts[4] }
      /LEAK SUMMARY:/ { seen++ }
      seen == n && /definitely lost:/ { d = grab($0) }
      seen == n && /indirectly lost:/ { i = grab($0) }
      seen == n && /possibly lost:/ { p = grab($0) }
      END { print d " " i " " p }' "$1"
}

check_run() {  # check_run NAME MODE ENV=VAL...
  local name=$1 mode=$2; shift 2
  rm -f "$name".*.pb.gz
  timeout 120 env "$@" LIBLEAK_OUT="$PWD/$name.%n.pb.gz" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/check_grow" "$mode" \
    "$PWD/$name.check.0001.pb.gz" "$PWD/$name.check.0002.pb.gz" >"$name.out" 2>"$name.err"
  rc=$?
  assert_eq 7 "$rc" "$name: the program's status"
  cmp -s plain.out "$name.out" || fail "$name: stdout differs: $(cat "$name.out")"
  grep -q '^libleak: leak check 1 (mid-run): ' "$name.err" || fail "$name: no heading of check 1: $(cat "$name.err")"
  grep -q '^libleak: leak check 2 (mid-run): ' "$name.err" || fail "$name: no heading of check 2"
  assert_eq "10064 11 128 1 0 0" "$(summary_nth "$name.err" 1)" "$name: check 1 (definitely, indirectly, possibly)"
  assert_eq "25064 26 128 1 0 0" "$(summary_nth "$name.err" 2)" "$name: check 2"
  [ -s "$name.check.0001.pb.gz" ] && [ -s "$name.check.0002.pb.gz" ] || fail "$name: the checks' profiles: $(ls)"
  "$LEAKPROF" diff "$name.check.0001.pb.gz" "$name.check.0002.pb.gz" >"$name.diff" 2>&1 || fail "$name: leakprof diff: $(cat "$name.diff")"
  grep -q 'inuse_space: +14.65kB' "$name.diff" || fail "$name: the diff's total is not the 15,000 new bytes: $(head -3 "$name.diff")"
  first_stack=$(sed -n '/^Stacks that grew most/{n;p;q}' "$name.diff")
  assert_contains "$first_stack" "+14.65kB  leak_block" "$name: the new lost bytes' stack in leakprof diff"
}

check_run call call LIBLEAK_RATE=1
grep -q '^check_grow: libleak_check_now returned 10192$' call.err || fail "call: first result: $(grep returned call.err)"
grep -q '^check_grow: libleak_check_now returned 25192$' call.err || fail "call: second result: $(grep returned call.err)"
echo "ok: libleak_check_now, exact mode: 10,192 then 25,192 bytes lost, diff +15,000"

check_run signal signal LIBLEAK_RATE=1 LIBLEAK_CHECK_SIGNAL=USR1
echo "ok: LIBLEAK_CHECK_SIGNAL=USR1, exact mode"

# gate mode: the exit gate still runs after the checks, and keeps the program's own status
check_run gate call LIBLEAK_CHECK=1 LIBLEAK_CHECK_VERBOSE=1
assert_eq "25064 26 128 1 0 0" "$(summary_nth gate.err 3)" "gate: the exit gate's summary"
grep -q 'leak gate failed: 25,192 bytes lost .* is not 0 and is kept' gate.err || fail "gate: the verdict at exit: $(grep 'leak gate' gate.err)"
echo "ok: LIBLEAK_CHECK=1: two checks, then the exit gate"

# refused signals: one line each, and no check on them
for pair in "USR2:is the snapshot signal (LIBLEAK_SIGNAL)" "34:is the stop signal (LIBLEAK_STOP_SIGNAL)" "PWR:is not USR1"; do
  value=${pair%%:*} words=${pair#*:}
  timeout 60 env LIBLEAK_RATE=1 LIBLEAK_STOP_SIGNAL=34 LIBLEAK_CHECK_SIGNAL="$value" LIBLEAK_OUT="$PWD/refused.%n.pb.gz" \
    LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/check_grow" call >refused.out 2>refused.err
  assert_eq 1 "$(grep -c LIBLEAK_CHECK_SIGNAL refused.err)" "LIBLEAK_CHECK_SIGNAL=$value: lines about it"
  grep -q "^libleak: LIBLEAK_CHECK_SIGNAL=\"$value\" $words" refused.err || fail "LIBLEAK_CHECK_SIGNAL=$value: $(grep LIBLEAK_ refused.err)"
done
echo "ok: a check signal that is the snapshot or the stop signal, or PWR, is refused"
