#!/bin/bash
# fork while other threads allocate and while the parent's dumper thread writes snapshots
# (SIGUSR2 every 50 ms): a child must not inherit a lock held by a thread it does not have.
# Parent and every child exit normally; each child writes its own exit profile under its own
# pid; every profile is whole; in exact mode a child's profile shows exactly what the child
# kept, and the parent's shows none of it.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog forker; require_go

children=16
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
  finish $pid 10 "rate $rate: forker (last child: $(tail -n 1 err.txt))"
  grep -v '^child [0-9]* pid' err.txt >&2
  assert_eq 0 "$rc" "rate $rate: forker exit status (after $signals signals)"
  assert_eq "$(printf 'parent ok\nchildren ok')" "$(cat out.txt)" "rate $rate: forker stdout"
  n=0
  while read -r _ c _ child; do
    files=(libleak.forker.$child.*.heap.pb.gz)
    [ -e "${files[0]}" ] || fail "rate $rate: child $c (pid $child) wrote no profile named with its pid: $(ls | head -n 30)"
    assert_eq 1 "${#files[@]}" "rate $rate: profiles of child $c"
    pprof_raw "${files[0]}" "child$c.raw"
    if [ $rate = 1 ]; then
      set -- $(site_values "child$c.raw" keep_in_child)
      assert_eq "300 30000" "$3 $4" "exact: child $c's profile, keep_in_child in use"
    fi
    n=$((n + 1))
  done < <(grep '^child [0-9]* pid' err.txt)
  assert_eq $children $n "rate $rate: children reported"
  parent=(libleak.forker.$pid.*.heap.pb.gz)
  [ -e "${parent[0]}" ] || fail "rate $rate: no profile of the parent (pid $pid): $(ls | head)"
  for f in "${parent[@]}"; do pprof_raw "$f" "$f.raw"; done
  last=${parent[${#parent[@]}-1]}.raw          # the exit profile: the highest sequence number
  if [ $rate = 1 ]; then
    set -- $(site_values "$last" keep_in_child)
    assert_eq "0 0" "$1 $3" "exact: the parent's exit profile has no allocation of keep_in_child"
    set -- $(site_values "$last" keep_in_parent)
    assert_eq "50 50000" "$3 $4" "exact: the parent's exit profile, keep_in_parent in use"
  fi
  echo "ok: rate $rate: $signals signals during $children forks; parent (${#parent[@]} profiles) and children exited 0, profiles named by pid and readable"
  cd ..
done
