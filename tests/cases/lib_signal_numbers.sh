#!/bin/bash
# LIBLEAK_SIGNAL by number is refused for the same signals as by name (issue 19, item 12).
# By name only USR1, USR2 and none are taken; TERM, PIPE, INT, HUP, ALRM, CHLD, WINCH, PWR
# (the gate's stop signal) ... are refused. 15 and 13 were taken by number: SIGTERM no longer
# ended the program, and `yes | head` printed "Broken pipe". Numbers now take the same set:
# USR1 (10), USR2 (12) and the real-time signals glibc leaves to programs (SIGRTMIN..SIGRTMAX).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hello_alloc snapshot_target

"$TESTBIN/hello_alloc" --exit 3 >expected.txt 2>&1
[ $? = 3 ] || fail "hello_alloc --exit 3 does not exit 3 without the library"

# name number: each refused by name and by number, with one line and USR2 instead.
for pair in TERM:15 PIPE:13 HUP:1 INT:2 QUIT:3 ALRM:14 CHLD:17 CONT:18 WINCH:28 PWR:30 SYS:31 \
            TRAP:5 ABRT:6 XFSZ:25 PROF:27 URG:23 IO:29; do
  for value in "${pair%:*}" "${pair#*:}"; do
    dir=case_$value; mkdir "$dir"
    (cd "$dir" && timeout 30 env LIBLEAK_SIGNAL=$value LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" --exit 3 >out.txt 2>err.txt)
    rc=$?
    assert_eq 3 "$rc" "LIBLEAK_SIGNAL=$value: exit status"
    assert_eq "$(cat expected.txt)" "$(cat "$dir/out.txt")" "LIBLEAK_SIGNAL=$value: stdout"
    assert_eq 1 "$(wc -l <"$dir/err.txt")" "LIBLEAK_SIGNAL=$value: lines on stderr ($(cat "$dir/err.txt"))"
    assert_contains "$(cat "$dir/err.txt")" "LIBLEAK_SIGNAL=\"$value\"" "LIBLEAK_SIGNAL=$value: the line names the value"
    assert_contains "$(cat "$dir/err.txt")" "using USR2" "LIBLEAK_SIGNAL=$value: the line says what is used"
  done
done
echo "ok: refused by name and by number alike, one line each"

# Taken, silently: USR1, USR2 by name and number, the first and last real-time signals.
rtmin=$(kill -l RTMIN 2>/dev/null || echo 34); rtmax=$(kill -l RTMAX 2>/dev/null || echo 64)
for value in USR1 10 USR2 12 "$rtmin" "$rtmax" none 0; do
  err=$(timeout 30 env LIBLEAK_SIGNAL=$value LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" --exit 3 2>&1 >/dev/null)
  assert_eq "" "$err" "LIBLEAK_SIGNAL=$value: stderr"
done
echo "ok: USR1, USR2, 10, 12, $rtmin, $rtmax, none taken without a word"

# What the refusal is for. LIBLEAK_SIGNAL=15: SIGTERM still ends the program (143, as bare).
rm -f target.out go
env LIBLEAK_SIGNAL=15 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/snapshot_target" >target.out 2>target.err &
pid=$!
wait_for_line target.out ready 30 || { kill -9 $pid; fail "snapshot_target never became ready: $(cat target.err)"; }
kill -TERM $pid
finish $pid 20 "snapshot_target after SIGTERM with LIBLEAK_SIGNAL=15"
assert_eq 143 "$rc" "LIBLEAK_SIGNAL=15: status after SIGTERM"
echo "ok: LIBLEAK_SIGNAL=15: SIGTERM ends the program (status $rc)"

# LIBLEAK_SIGNAL=13: `yes | head -n 2` as bare: yes dies of SIGPIPE, prints nothing.
bare_err=$( { timeout 20 yes | head -n 2 >/dev/null; } 2>&1 )
lib_err=$( { timeout 20 env LIBLEAK_SIGNAL=13 LD_PRELOAD="$LIBLEAK_SO" yes | head -n 2 >/dev/null; } 2>&1 | grep -v '^libleak' )
assert_eq "$bare_err" "$lib_err" "LIBLEAK_SIGNAL=13: yes | head, stderr apart from libleak's line"
status=$(bash -c 'env LIBLEAK_SIGNAL=13 LD_PRELOAD="$0" yes 2>/dev/null | head -n 1 >/dev/null; echo ${PIPESTATUS[0]}' "$LIBLEAK_SO")
assert_eq 141 "$status" "LIBLEAK_SIGNAL=13: yes's status (killed by SIGPIPE, as bare)"
echo "ok: LIBLEAK_SIGNAL=13: yes | head as bare (status $status)"
