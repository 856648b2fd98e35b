#!/bin/bash
# Exact mode (LIBLEAK_RATE=1) equals the truth, to the byte: per call site, in the profile
# written by libleak_dump() and in the exit profile, across threads, with frees done by
# another thread than the allocating one, realloc growth and shrink, and calloc — with both
# stack walkers (LIBLEAK_UNWIND=libunwind, fp and auto, the default; the program keeps frame pointers).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog exact_sites; require_go

for unwind in libunwind fp auto; do
  run_exact_sites "$unwind" LIBLEAK_RATE=1 LIBLEAK_UNWIND=$unwind
  check_expectations "$unwind/x.raw" "$unwind/out.txt" dump
  check_expectations "$unwind/exit.raw" "$unwind/out.txt" exit
  echo "ok: LIBLEAK_UNWIND=$unwind"
done
