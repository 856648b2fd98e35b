#!/bin/bash
# Exact mode (LIBLEAK_RATE=1) equals the truth, to the byte: per call site, in the profile
# written by libleak_dump() and in the exit profile, across threads, with frees done by
# another thread than the allocating one, realloc growth and shrink, and calloc — with both
# stack walkers (LIBLEAK_UNWIND=libunwind, the default, and fp; the program keeps frame pointers).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog exact_sites; require_go

for unwind in default fp; do
  mkdir "$unwind" && cd "$unwind" || exit 1
  envs=(LIBLEAK_RATE=1); [ $unwind = default ] || envs+=(LIBLEAK_UNWIND=$unwind)
  timeout 60 env "${envs[@]}" LIBLEAK_OUT='exit.%p.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" \
    "$TESTBIN/exact_sites" >out.txt 2>err.txt
  rc=$?
  cat err.txt >&2
  assert_eq 0 "$rc" "unwind $unwind: exit status of exact_sites under LIBLEAK_RATE=1"
  [ -s x.pb.gz ] || fail "unwind $unwind: libleak_dump(\"x.pb.gz\") wrote nothing"
  pprof_raw x.pb.gz x.raw
  check_expectations x.raw out.txt dump

  exits=(exit.*.pb.gz)
  [ -e "${exits[0]}" ] || fail "unwind $unwind: no exit profile (LIBLEAK_OUT=exit.%p.%n.pb.gz): $(ls)"
  assert_eq 1 "${#exits[@]}" "unwind $unwind: number of exit profiles"
  pprof_raw "${exits[0]}" exit.raw
  check_expectations exit.raw out.txt exit
  echo "ok: unwind $unwind"
  cd ..
done
