#!/bin/bash
# Allocations made while the dynamic loader's lock is held (inside dl_iterate_phdr callbacks,
# with dlopen/dlclose on other threads) and in thread-specific-data destructors at thread exit
# are tracked exactly in exact mode (no deadlock, nothing missed), and the program finishes.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog loader_callbacks; require_go

for unwind in libunwind fp; do
  mkdir "$unwind" && cd "$unwind" || exit 1
  timeout -k 5 60 env LIBLEAK_RATE=1 LIBLEAK_UNWIND=$unwind LIBLEAK_OUT=exit.pb.gz LD_PRELOAD="$LIBLEAK_SO" \
    "$TESTBIN/loader_callbacks" >out.txt 2>err.txt
  rc=$?
  cat err.txt >&2
  [ $rc = 124 ] || [ $rc = 137 ] && fail "$unwind: loader_callbacks hung (deadlock?)"
  assert_eq 0 "$rc" "$unwind: exit status"
  pprof_raw exit.pb.gz exit.raw
  check_expectations exit.raw out.txt truth
  cd ..
done
