#!/bin/bash
# 4096 distinct stacks in exact mode: with room for them all, each is counted exactly; with
# LIBLEAK_MAX_STACKS=1024 (the smallest table) the extra samples are dropped and counted in the
# profile's comments — no crash, no hang, the output unchanged, and once everything is freed
# nothing is left in use (a dropped sample's free does not disturb the counts).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog many_stacks; require_go

"$TESTBIN/many_stacks" >expected.txt
read -r _ _ objects bytes <expected.txt

for limit in none 1024; do
  mkdir "limit_$limit" && cd "limit_$limit" || exit 1
  envs=(LIBLEAK_RATE=1 LIBLEAK_OUT=exit.pb.gz); [ $limit = none ] || envs+=(LIBLEAK_MAX_STACKS=$limit)
  timeout 60 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/many_stacks" >out.txt 2>err.txt
  rc=$?
  cat err.txt >&2
  assert_eq 0 "$rc" "limit $limit: exit status"
  assert_eq "$(cat ../expected.txt)" "$(cat out.txt)" "limit $limit: stdout"
  pprof_raw stacks.pb.gz stacks.raw
  pprof_raw exit.pb.gz exit.raw
  set -- $(site_values stacks.raw keep_leaf)
  dump_objects=$3 dump_bytes=$4
  gopprof -top -symbolize=none stacks.pb.gz >top.txt 2>&1 || fail "limit $limit: pprof -top failed"
  # distinct stacks (a stack's live blocks and its allocation totals are separate samples)
  stacks=$(awk '/^Samples:/ { s = 1; getline; next } /^Locations/ { s = 0 } s && /^ *[0-9].*:/ { split($0, a, ":"); if (!(a[2] in seen)) { seen[a[2]] = 1; n++ } } END { print n + 0 }' stacks.raw)
  if [ $limit = none ]; then
    assert_eq "$objects $bytes" "$dump_objects $dump_bytes" "no limit: keep_leaf in use"
    [ "$stacks" -ge $objects ] || fail "no limit: only $stacks samples (stacks) for $objects distinct stacks"
  else
    [ "$dump_objects" -gt 0 ] && [ "$dump_objects" -lt "$objects" ] \
      || fail "limit $limit: keep_leaf in use should be some but not all of $objects, got $dump_objects"
    [ "$stacks" -le "$limit" ] || fail "limit $limit: $stacks stacks in the profile"
    grep -Eiq 'dropped[^0-9]*[1-9]' top.txt || fail "limit $limit: no count of dropped samples in the comments: $(head -n 8 top.txt)"
    echo "ok: limit $limit: $dump_objects of $objects blocks kept, $stacks stacks; $(grep -i dropped top.txt)"
  fi
  set -- $(site_values exit.raw keep_leaf)
  assert_eq "0 0" "$3 $4" "limit $limit: keep_leaf in use after everything was freed"
  cd ..
done
