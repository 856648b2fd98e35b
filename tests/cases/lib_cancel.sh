#!/bin/bash
# A thread cancelled while it is inside libleak_dump() (at open or write, which are
# cancellation points) must not leave libleak's dump lock held: the next libleak_dump() and the
# exit profile still work, the program does not hang, and no temporary file is left behind.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog cancel_dump; require_go

env LIBLEAK_OUT='c.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/cancel_dump" >out.txt 2>err.txt &
pid=$!
finish $pid 30 "cancel_dump (20 cancelled dumps, then one more and the exit profile)"
cat err.txt >&2
assert_eq 0 "$rc" "exit status"
assert_eq "$(printf 'final dump 0\ndone')" "$(cat out.txt)" "stdout"
stray=$(ls -A | grep -v -e '^c\.[0-9]*\.pb\.gz$' -e '^out\.txt$' -e '^err\.txt$' -e '^\.gohome$')
[ -z "$stray" ] || fail "left behind: $(echo $stray)"
files=(c.*.pb.gz)
pprof_raw "${files[${#files[@]}-1]}" last.raw
echo "ok: 20 cancelled dumps; ${#files[@]} profiles; the last one readable"
