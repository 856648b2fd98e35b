#!/bin/bash
# The watch variables must not talk on the program's stderr when nothing is wrong. With
# LIBLEAK_PEAK set, a shell script whose short children sampled nothing (the peak has nothing
# to show) got one "nothing was in use" line per child on its stderr; and when the peak could
# not be written (LIBLEAK_OUT in a missing directory) that same line came on top of the real
# reason, naming the wrong one.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib

script='for i in 1 2 3 4 5; do x=$(echo $i); /bin/true; done; echo "$x"; exit 3'
for peak in 1 all; do
  mkdir "peak$peak" && cd "peak$peak" || exit 1
  timeout 60 env LIBLEAK_PEAK=$peak LIBLEAK_INUSE_INTERVAL=1m LD_PRELOAD="$LIBLEAK_SO" bash -c "$script" >out.txt 2>err.txt
  rc=$?
  assert_eq 3 "$rc" "LIBLEAK_PEAK=$peak: exit status of the script"
  assert_eq 5 "$(cat out.txt)" "LIBLEAK_PEAK=$peak: the script's output"
  assert_eq "" "$(cat err.txt)" "LIBLEAK_PEAK=$peak: the script's stderr"
  echo "ok: LIBLEAK_PEAK=$peak: a script with 5 short children: same output and status, nothing on stderr"
  cd ..
done

# A peak that cannot be written says why, and only that.
timeout 60 env LIBLEAK_PEAK=1 LIBLEAK_RATE=1 LIBLEAK_OUT="$PWD/missing/%n.pb.gz" LD_PRELOAD="$LIBLEAK_SO" \
  "$TESTBIN/hello_alloc" >out.txt 2>err.txt || fail "hello_alloc failed: $(cat err.txt)"
grep -q 'peak.pb.gz: No such file or directory' err.txt || fail "no line for the peak that was not written: $(cat err.txt)"
grep 'nothing was in use' err.txt && fail "a missing directory reported as an empty peak"
echo "ok: a missing directory: the peak's line names it"
exit 0
