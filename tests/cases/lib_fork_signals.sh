#!/bin/bash
# fork while the parent's dumper thread is writing snapshots (SIGUSR2 every 50 ms) and other
# threads allocate: a child must not inherit a lock held by a thread it does not have. Every
# child exits normally with its own exit profile, the parent finishes, every profile is whole.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog forker; require_go

children=20
for rate in default 1; do
  mkdir "rate_$rate" && cd "rate_$rate" || exit 1
  envs=(); [ $rate = default ] || envs=(LIBLEAK_RATE=$rate)
  env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/forker" $children >out.txt 2>err.txt &
  pid=$!
  # the library must be set up before the first signal: wait for the first child to be done
  wait_for_line err.txt '^child 0 pid' 30 || { kill -9 $pid; fail "rate $rate: forker's first child never finished"; }
  signals=0
  for i in $(seq 1200); do
    kill -USR2 $pid 2>/dev/null || break
    signals=$((signals + 1))
    sleep 0.05
  done
  wait_exit $pid 5 || { pkill -9 -P $pid; kill -9 $pid; fail "rate $rate: forker hung after $signals signals (last: $(tail -n 1 err.txt))"; }
  wait $pid; rc=$?
  grep -v '^child [0-9]* pid' err.txt >&2
  assert_eq 0 "$rc" "rate $rate: forker exit status (after $signals signals)"
  assert_eq "$(printf 'parent ok\nchildren ok')" "$(cat out.txt)" "rate $rate: forker stdout"
  n=0
  while read -r _ c _ child; do
    ls libleak.forker.$child.*.heap.pb.gz >/dev/null 2>&1 || fail "rate $rate: child $c (pid $child) wrote no exit profile"
    n=$((n + 1))
  done < <(grep '^child [0-9]* pid' err.txt)
  assert_eq $children $n "rate $rate: children"
  files=(libleak.forker.*.heap.pb.gz)
  for f in "${files[@]}"; do
    gopprof -raw -symbolize=none "$f" >/dev/null 2>&1 || fail "rate $rate: $f is not a readable profile"
  done
  echo "ok: rate $rate: $signals signals during $children forks; ${#files[@]} profiles, all readable"
  cd ..
done
