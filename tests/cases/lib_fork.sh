#!/bin/bash
# fork while other threads allocate: parent and every child exit normally; each child writes
# its own exit profile under its own pid; in exact mode the child's profile shows exactly what
# the child kept, and the parent's shows none of it.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog forker; require_go

children=12
for rate in default 1; do
  mkdir "rate_$rate" && cd "rate_$rate" || exit 1
  envs=(); [ $rate = default ] || envs=(LIBLEAK_RATE=$rate)
  env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/forker" $children >out.txt 2>err.txt &
  pid=$!
  wait_exit $pid 60 || { pkill -9 -P $pid; kill -9 $pid; fail "rate $rate: forker hung (last child: $(tail -n 1 err.txt))"; }
  wait $pid; rc=$?
  grep -v '^child [0-9]* pid' err.txt >&2
  assert_eq 0 "$rc" "rate $rate: forker exit status"
  assert_eq "$(printf 'parent ok\nchildren ok')" "$(cat out.txt)" "rate $rate: forker stdout"
  parent=(libleak.forker.$pid.*.heap.pb.gz)
  [ -e "${parent[0]}" ] || fail "rate $rate: no exit profile of the parent (pid $pid): $(ls | head)"
  pprof_raw "${parent[0]}" parent.raw
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
  total=$(ls libleak.forker.*.heap.pb.gz | wc -l)
  assert_eq $((children + 1)) "$total" "rate $rate: profiles (parent + children)"
  if [ $rate = 1 ]; then
    set -- $(site_values parent.raw keep_in_child)
    assert_eq "0 0" "$1 $3" "exact: the parent's profile has no allocation of keep_in_child"
    set -- $(site_values parent.raw keep_in_parent)
    assert_eq "50 50000" "$3 $4" "exact: the parent's profile, keep_in_parent in use"
  fi
  echo "ok: rate $rate: parent and $children children exited 0, $total profiles named by pid"
  cd ..
done
