#!/bin/bash
# libleak's own memory stays within LIBLEAK_MAX_MEMORY: in exact mode with a million live
# blocks and the smallest bound (16m), the live table fills, the extra samples are dropped and
# counted in the profile's comments, the memory reported is within the bound, nothing crashes,
# and once the program frees everything nothing is left in use (a dropped block's free takes
# nothing back). With room (the default bound) the same run is exact.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog keep_many; require_go

for bound in 16m default; do
  mkdir "$bound" && cd "$bound" || exit 1
  envs=(LIBLEAK_RATE=1 LIBLEAK_OUT=exit.pb.gz); [ $bound = default ] || envs+=(LIBLEAK_MAX_MEMORY=$bound)
  timeout 120 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/keep_many" 1000000 >out.txt 2>err.txt
  rc=$?
  cat err.txt >&2
  assert_eq 0 "$rc" "$bound: exit status"
  pprof_raw many.pb.gz many.raw
  pprof_raw exit.pb.gz exit.raw
  read -r _ _ objects bytes <out.txt
  set -- $(site_values many.raw keep_many_blocks)
  kept_objects=$3 kept_bytes=$4
  dropped=$(sed -n 's/^Comment: samples taken: [0-9]*; dropped: [0-9]* (stack table full), \([0-9]*\) (live table full).*/\1/p' many.raw)
  memory=$(sed -n 's/^Comment: internal memory: \([0-9]*\) bytes.*/\1/p' many.raw)
  echo "$bound: keep_many_blocks in use $kept_objects of $objects; dropped (live table full) ${dropped:-?}; internal memory ${memory:-?}"
  if [ $bound = default ]; then
    assert_eq "$objects $bytes" "$kept_objects $kept_bytes" "default bound: keep_many_blocks in use"
  else
    [ "$kept_objects" -gt 0 ] && [ "$kept_objects" -lt "$objects" ] || fail "16m: expected some but not all blocks counted, got $kept_objects"
    [ -n "$dropped" ] && [ "$dropped" -gt 0 ] || fail "16m: no count of samples dropped for a full live table: $(grep '^Comment' many.raw)"
    [ -n "$memory" ] && [ "$memory" -le 16777216 ] || fail "16m: internal memory ${memory:-not reported} exceeds LIBLEAK_MAX_MEMORY"
  fi
  set -- $(site_values exit.raw keep_many_blocks)
  assert_eq "0 0" "$3 $4" "$bound: keep_many_blocks in use after everything was freed"
  cd ..
done
