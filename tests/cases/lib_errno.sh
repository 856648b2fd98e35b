#!/bin/bash
# Successful malloc, calloc, realloc, free, posix_memalign and aligned_alloc leave errno as
# the program set it, in exact mode (every call samples) with both stack walkers and at the
# default rate — as glibc's do without the library.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog errno_keep

"$TESTBIN/errno_keep" >/dev/null 2>&1 || skip "glibc itself changes errno on a successful call here"
for settings in "LIBLEAK_RATE=1" "LIBLEAK_RATE=1 LIBLEAK_UNWIND=fp" "LIBLEAK_RATE=512k"; do
  timeout 60 env $settings LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/errno_keep" >out.txt 2>err.txt
  rc=$?
  assert_eq 0 "$rc" "$settings: errno_keep exit status ($(cat out.txt) $(cat err.txt))"
  echo "ok: $settings: $(cat out.txt)"
done
