#!/bin/bash
# A leak check on demand at a sampling rate (LIBLEAK_RATE=4k): check_cache keeps 20000 nodes of
# 512 bytes in a hash table of chained lists (most nodes pointed to only from another node, in
# the heap) and drops 20000 blocks of 512 bytes that point to themselves. The check reads the heap as raw words: the
# cache is never called lost (no loss record at cache_insert, its bytes still reachable), the
# leak is found at leak_block with its estimated bytes within 10 % of the 10,240,000 dropped
# (the estimate's standard deviation is about 2 %), and libleak_check_now() returns them.
# At 64k (about 156 leaked samples) the estimate is looser, the cache still never lost. Then
# the same at 4k with 4 threads allocating during the check, stopped by ptrace and by signals.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog check_cache

for rate in 4k 64k; do
  timeout 120 env LIBLEAK_RATE=$rate LIBLEAK_OUT="$PWD/r$rate.%n.pb.gz" LD_PRELOAD="$LIBLEAK_SO" \
    "$TESTBIN/check_cache" >"r$rate.out" 2>"r$rate.err"
  assert_eq 0 "$?" "rate $rate: status"
  assert_eq "cached 20000" "$(cat "r$rate.out")" "rate $rate: stdout"
  grep -q "^libleak: leak check 1 (mid-run): [0-9]* sampled blocks checked" "r$rate.err" || fail "rate $rate: no heading: $(cat "r$rate.err")"
  grep -q 'cache_insert' "r$rate.err" && fail "rate $rate: the cache is reported lost: $(cat "r$rate.err")"
  set -- $(summary_numbers "r$rate.err" "libleak: ")
  lost=$1
  assert_eq "0 0" "$3 $4" "rate $rate: indirectly lost"
  assert_eq "0 0" "$5 $6" "rate $rate: possibly lost"
  grep -q "^check_cache: libleak_check_now returned $lost\$" "r$rate.err" || fail "rate $rate: $(grep returned "r$rate.err")"
  reachable=$(summary_of "r$rate.err" "still reachable"); reachable=${reachable% *}
  [ "$reachable" -ge 9000000 ] || fail "rate $rate: the cache is not still reachable: $reachable"
  if [ $rate = 4k ]; then
    assert_within 10240000 "$lost" 10 "rate 4k: definitely lost (estimated)"
    grep -q 'in leak_block ' "r$rate.err" || fail "rate 4k: the leak's stack is not shown"
    [ -s r4k.check.0001.pb.gz ] || fail "rate 4k: no check profile: $(ls)"
    "$LEAKPROF" top r4k.check.0001.pb.gz >top.txt 2>&1 || fail "leakprof top: $(cat top.txt)"
    grep -q 'leak_block' top.txt || fail "leakprof top of the check's profile: $(cat top.txt)"
    grep -q 'cache_insert' top.txt && fail "the check's profile holds the cache: $(cat top.txt)"
  else
    # ~156 samples: a standard deviation of about 8 %
    assert_within 10240000 "$lost" 40 "rate 64k: definitely lost (estimated)"
  fi
  echo "ok: LIBLEAK_RATE=$rate: $lost bytes lost (10,240,000 dropped), cache still reachable ($reachable)"
done

# With 4 threads allocating and freeing during the check: stopped (ptrace, or where ptrace is
# refused the stop signal, here LIBLEAK_STOP_SIGNAL=USR1) and resumed; what they hold on their
# stacks is not lost, and the program ends as it would bare.
require_prog deny_ptrace
for how in ptrace signals; do
  wrap=(); [ $how = signals ] && wrap=("$TESTBIN/deny_ptrace")
  timeout 120 env LIBLEAK_RATE=4k LIBLEAK_STOP_SIGNAL=USR1 LIBLEAK_OUT="$PWD/t$how.%n.pb.gz" LD_PRELOAD="$LIBLEAK_SO" \
    "${wrap[@]}" "$TESTBIN/check_cache" threads >"t$how.out" 2>"t$how.err"
  assert_eq 0 "$?" "threads, $how: status"
  assert_eq "workers 4 cached 20000" "$(echo $(cat "t$how.out"))" "threads, $how: stdout"
  grep -q 'cache_insert\|in worker ' "t$how.err" && fail "threads, $how: reachable blocks reported lost: $(cat "t$how.err")"
  grep -q 'did not stop' "t$how.err" && fail "threads, $how: $(grep 'did not stop' "t$how.err")"
  set -- $(summary_numbers "t$how.err" "libleak: ")
  assert_within 10240000 "$1" 10 "threads, $how: definitely lost (estimated)"
  echo "ok: 4 threads running, stopped by $how: $1 bytes lost, nothing of theirs"
done
