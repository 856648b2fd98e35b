#!/bin/bash
# libleak forwards with dlsym(RTLD_NEXT), so it profiles on top of another allocator preloaded
# after it (LD_PRELOAD="libleak.so libjemalloc.so.2"): exact mode still equals the truth, and
# the frame-pointer unwinder (LIBLEAK_UNWIND=fp) gives the same numbers as libunwind.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog exact_sites; require_go

run_exact() {  # run_exact NAME PRELOAD_AFTER [ENV...]
  local name=$1 after=$2; shift 2
  mkdir -p "$name" && (cd "$name" &&
    timeout 60 env LIBLEAK_RATE=1 LIBLEAK_AT_EXIT=0 "$@" LD_PRELOAD="$LIBLEAK_SO $after" \
      "$TESTBIN/exact_sites" >out.txt 2>err.txt) || fail "$name: exact_sites failed: $(cat "$name/err.txt")"
  [ -s "$name/x.pb.gz" ] || fail "$name: no profile"
  pprof_raw "$name/x.pb.gz" "$name/x.raw"
  check_expectations "$name/x.raw" "$name/out.txt" dump
}

ran=0
for allocator in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4; do
  [ -e "$allocator" ] || continue
  run_exact "$(basename "$allocator")" "$allocator"
  ran=$((ran + 1))
done
run_exact frame_pointers "" LIBLEAK_UNWIND=fp
[ $ran -gt 0 ] || skip "neither libjemalloc2 nor libtcmalloc-minimal4 is installed"
