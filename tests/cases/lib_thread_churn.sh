#!/bin/bash
# 2000 short-lived threads (40 rounds of 50), each keeping one block that another thread frees
# half of, under exact mode: the program finishes, the exit profile counts exactly the blocks
# still live, and libleak's own memory (reported in the comments) does not grow per thread.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog thread_churn; require_go

# churn ROUNDS: runs thread_churn with ROUNDS rounds, checks it; rR/memory holds libleak's memory.
churn() {
  local dir=r$1
  mkdir "$dir" && cd "$dir" || exit 1
  timeout 120 env LIBLEAK_RATE=1 LIBLEAK_OUT=exit.pb.gz LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/thread_churn" "$1" >out.txt 2>err.txt
  local rc=$?
  cat err.txt >&2
  [ $rc = 124 ] && fail "$1 rounds: thread_churn hung"
  assert_eq 0 "$rc" "$1 rounds: exit status"
  pprof_raw exit.pb.gz exit.raw
  check_expectations exit.raw out.txt truth
  sed -n 's/^Comment: internal memory: \([0-9]*\) bytes.*/\1/p' exit.raw >memory
  cd ..
}
churn 4
churn 40
small=$(cat r4/memory) large=$(cat r40/memory)
echo "libleak's memory: $small bytes after 200 threads, $large bytes after 2000"
if [ -n "$small" ] && [ -n "$large" ]; then
  # Allow 64 KiB per extra 1800 threads (~36 B a thread) — state kept per dead thread would be far more.
  [ "$large" -le $((small + 65536)) ] || fail "libleak's memory grows with threads that have ended: $small -> $large bytes"
fi
