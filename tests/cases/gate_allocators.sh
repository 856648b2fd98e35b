#!/bin/bash
# The gate over another allocator preloaded after libleak (LD_PRELOAD="libleak.so
# libjemalloc.so.2", and tcmalloc): the same verdicts as over glibc's malloc — a lost list is
# 32 bytes definitely and 320 indirectly lost, a block kept from a global is still reachable.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog gate_leaks

tried=0
for lib in libjemalloc.so.2 libtcmalloc_minimal.so.4; do
  path=$(ls /usr/lib/*/"$lib" /usr/lib/"$lib" 2>/dev/null | head -n 1)
  [ -n "$path" ] || { echo "$lib not installed"; continue; }
  tried=$((tried + 1))
  timeout 60 env LIBLEAK_CHECK=1 LIBLEAK_CHECK_VERBOSE=1 LD_PRELOAD="$LIBLEAK_SO $path" "$TESTBIN/gate_leaks" list >list.out 2>list.err
  rc=$?
  cat list.err >&2
  assert_eq 23 "$rc" "$lib: list: exit status"
  assert_summary list.err "32 1" "320 10" "0 0" "$lib: list"
  timeout 60 env LIBLEAK_CHECK=1 LIBLEAK_CHECK_VERBOSE=1 LD_PRELOAD="$LIBLEAK_SO $path" "$TESTBIN/gate_leaks" global >global.out 2>global.err
  rc=$?
  assert_eq 0 "$rc" "$lib: global: exit status"
  assert_eq "1024 1" "$(summary_of global.err "still reachable")" "$lib: global: still reachable"
  echo "ok: over $lib"
done
[ $tried -gt 0 ] || skip "neither jemalloc nor tcmalloc installed"
