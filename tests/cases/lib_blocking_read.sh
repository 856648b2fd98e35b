#!/bin/bash
# SIGUSR2 while the program blocks in read(2) on a pipe: the snapshot is written and the
# program's read is restarted — it never sees EINTR, its output is what it is without the library.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog blocking_read; require_go

mkfifo input
LIBLEAK_OUT='snap.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/blocking_read" <input >out.txt 2>err.txt &
pid=$!
exec 3>input
echo first >&3
wait_for_line out.txt ready 30 || { kill -9 $pid; fail "blocking_read never read its first line"; }
for i in 1 2 3 4 5; do
  kill -USR2 $pid || fail "blocking_read died from SIGUSR2 $i"
  sleep 0.2                    # it is blocked in read() now
done
wait_for_file 'snap.*.pb.gz' 20 $pid || fail "no snapshot after SIGUSR2"
printf 'second\nthird\n' >&3
exec 3>&-
finish $pid 30 "blocking_read, at the end of its input,"
cat err.txt >&2
assert_eq 0 "$rc" "exit status"
assert_eq "$(printf 'ready\nlines 3 eintr 0')" "$(cat out.txt)" "stdout (no EINTR seen by the program)"
for f in snap.*.pb.gz; do pprof_raw "$f" "$f.raw"; done
echo "ok: 5 signals while blocked in read(): no EINTR, $(ls snap.*.pb.gz | wc -l) profiles"
