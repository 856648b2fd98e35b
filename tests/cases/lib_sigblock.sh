#!/bin/bash
# A program that blocks every signal in every thread and is sent SIGUSR2: no hang, no death,
# normal output and exit, and the exit profile is still written.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog sigblock; require_go

mkdir sigblock && cd sigblock || exit 1
LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/sigblock" >out.txt 2>err.txt &
pid=$!
wait_for_line out.txt ready 30 || { kill -9 $pid; fail "sigblock never became ready"; }
for i in 1 2 3; do kill -USR2 $pid || fail "sigblock died from SIGUSR2 $i"; sleep 0.1; done
touch go
finish $pid 30 "sigblock, after SIGUSR2 (blocked everywhere),"
assert_eq 0 "$rc" "sigblock: exit status"
assert_eq "$(printf 'ready\ndone')" "$(cat out.txt)" "sigblock: stdout"
ls libleak.sigblock.*.heap.pb.gz >/dev/null 2>&1 || fail "sigblock: no exit profile"
echo "ok: sigblock: signals blocked, no hang, exit 0"
