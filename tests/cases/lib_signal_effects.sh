#!/bin/bash
# What the snapshot signal does to the program (README, "When profiles are written"):
#  - sent to the process (kill -USR2), it is handled on a program thread, and a poll(2) with a
#    timeout there fails with EINTR, as it would for any handled signal (documented);
#  - a program that blocks SIGUSR2 and waits for it with sigtimedwait on a thread of its own
#    gets every one: libleak's thread must not take them.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog poll_wait sigwait_usr2

mkdir process && cd process || exit 1
LIBLEAK_AT_EXIT=0 LIBLEAK_OUT='snap.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/poll_wait" 2000 >out.txt 2>err.txt &
pid=$!
wait_for_line out.txt ready 30 || { kill -9 $pid; fail "poll_wait never became ready"; }
sleep 0.2
kill -USR2 $pid
wait_for_file 'snap.0001.pb.gz' 20 $pid || fail "no snapshot after kill -USR2"
finish $pid 30 "poll_wait"
cat err.txt >&2
assert_eq 0 "$rc" "poll_wait: exit status"
cd ..
assert_eq "$(printf 'ready\npoll -1 EINTR')" "$(cat process/out.txt)" "kill -USR2 (to the process): poll_wait's output"
echo "ok: kill -USR2: snapshot written, the program's poll failed with EINTR (documented)"
# A program that blocks SIGUSR2 and waits for it with sigtimedwait on a thread of its own gets
# every one: libleak's thread blocks every signal, so the kernel never hands it the process's
# SIGUSR2 (a handler of ours would take it from the program).
mkdir sigwait && cd sigwait || exit 1
LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/sigwait_usr2" 20 >out.txt 2>err.txt &
pid=$!
wait_for_line out.txt ready 30 || { kill -9 $pid; fail "sigwait_usr2 never became ready"; }
for i in $(seq 20); do kill -USR2 $pid; sleep 0.05; done
finish $pid 30 "sigwait_usr2"
assert_eq "$(printf 'ready\ngot 20')" "$(cat out.txt)" "sigwait_usr2: the program's own SIGUSR2s"
echo "ok: a program waiting for SIGUSR2 with sigtimedwait on its own thread gets all 20"
