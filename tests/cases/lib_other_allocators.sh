#!/bin/bash
# On top of another preloaded allocator (LD_PRELOAD="libleak.so libjemalloc.so.2", and
# tcmalloc), libleak forwards to it and exact mode still equals the truth per call site, in
# the libleak_dump() profile and at exit; the signal storm finishes with its normal output.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog exact_sites storm; require_go

found=0
touch go; "$TESTBIN/storm" 20 wait >storm.expected || fail "storm fails without the library"; rm go
for allocator in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4; do
  [ -e "$allocator" ] || continue
  found=$((found + 1))
  name=$(basename "$allocator")
  # LD_PRELOAD is set after ENV by run_exact_sites: put the allocator behind libleak this way.
  LIBLEAK_SO="$LIBLEAK_SO $allocator" run_exact_sites "$name" LIBLEAK_RATE=1
  check_expectations "$name/x.raw" "$name/out.txt" dump
  check_expectations "$name/exit.raw" "$name/out.txt" exit
  cd "$name" || exit 1
  touch go
  timeout 60 env LIBLEAK_RATE=1 LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO $allocator" "$TESTBIN/storm" 20 wait >storm.out 2>storm.err
  rc=$?
  cat storm.err >&2
  assert_eq 0 "$rc" "$name: storm exit status"
  assert_eq "$(cat ../storm.expected)" "$(cat storm.out)" "$name: storm output"
  echo "ok: $name"
  cd ..
done
[ $found -gt 0 ] || skip "neither libjemalloc2 nor libtcmalloc-minimal4 is installed"
