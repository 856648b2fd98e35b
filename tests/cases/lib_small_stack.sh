#!/bin/bash
# Small thread stacks (issue 7): a thread with a 16 KiB stack that has already used 4 KiB
# allocates directly, through libc and from code without frame pointers or unwind tables, in
# exact mode with every unwinder and in gate mode (LIBLEAK_CHECK=1), and at the default rate.
# Stack capture runs libunwind on a stack of its own, so the program finishes.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog small_stack

for settings in "LIBLEAK_RATE=1" "LIBLEAK_RATE=1 LIBLEAK_UNWIND=libunwind" "LIBLEAK_RATE=1 LIBLEAK_UNWIND=fp" \
                "LIBLEAK_CHECK=1" ""; do
  out=$(timeout 60 env $settings LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/small_stack" 2>err.txt)
  rc=$?
  [ $rc = 124 ] && fail "small_stack (${settings:-defaults}) hung"
  assert_eq "0 ok" "$rc $out" "small_stack (${settings:-defaults}): exit status and output ($(head -c 300 err.txt))"
  echo "ok: 16 KiB thread stack, ${settings:-defaults}"
done
