#!/bin/bash
# Threads dlopen/dlclose libraries in a loop while others allocate from deep stacks, under the
# default rate and exact mode: it must finish within 60 s (the loader-lock deadlock), with the
# normal output; the exit profile shows nothing in use from the allocating site (all freed).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog dlopen_stress; require_go

rounds=3000
"$TESTBIN/dlopen_stress" $rounds >expected.txt 2>expected.err
rc=$?
[ $rc = 77 ] && skip "$(cat expected.err)"
[ $rc = 0 ] || fail "dlopen_stress fails without the library: $(cat expected.err)"

for rate in default 1; do
  envs=(); [ $rate = default ] || envs=(LIBLEAK_RATE=$rate)
  start=$(date +%s)
  timeout -k 5 60 env "${envs[@]}" LIBLEAK_OUT="exit.$rate.pb.gz" LD_PRELOAD="$LIBLEAK_SO" \
    "$TESTBIN/dlopen_stress" $rounds >out.$rate.txt 2>err.$rate.txt
  rc=$?
  cat "err.$rate.txt" >&2
  [ $rc = 124 ] || [ $rc = 137 ] && fail "rate $rate: dlopen_stress did not finish within 60 s (deadlock?)"
  assert_eq 0 "$rc" "rate $rate: exit status"
  assert_eq "$(cat expected.txt)" "$(cat out.$rate.txt)" "rate $rate: stdout"
  pprof_raw "exit.$rate.pb.gz" "exit.$rate.raw"
  set -- $(site_values "exit.$rate.raw" descend)
  [ "$1" -gt 0 ] || fail "rate $rate: no allocation recorded from descend"
  assert_eq "0 0" "$3 $4" "rate $rate: descend's blocks in use at exit (all were freed)"
  echo "ok: rate $rate: finished in $(( $(date +%s) - start )) s"
done
