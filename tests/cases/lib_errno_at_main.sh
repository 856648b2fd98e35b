#!/bin/bash
# errno at main is what it is bare (0), whatever the library's constructor did before main:
# the cgroup probe, the configuration, the dumper's start (issue 19, item 9).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog errno_at_main

bare=$(timeout 20 "$TESTBIN/errno_at_main")
assert_eq "errno at main: 0" "$bare" "bare"
for settings in "LIBLEAK_RATE=524288" "LIBLEAK_RATE=1" "LIBLEAK_CHECK=1" "LIBLEAK_SIGNAL=none" \
                "LIBLEAK_INTERVAL=1h" "LIBLEAK_NEAR_LIMIT=90" "LIBLEAK_RATE=bad"; do
  got=$(timeout 20 env $settings LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/errno_at_main" 2>/dev/null)
  assert_eq "$bare" "$got" "under the library with $settings"
done
# With a memory limit the constructor probes the limits too.
got=$(ulimit -v 4000000; timeout 20 env LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/errno_at_main" 2>/dev/null)
assert_eq "$bare" "$got" "under the library with ulimit -v"
echo "ok: $bare, bare and under the library"
