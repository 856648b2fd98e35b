#!/bin/bash
# Real programs (perl, python3, sort, git, xz, sqlite3) print the same under the leak gate as
# without it, and exit with their own status or the gate's 23: tests/gate_real_programs.sh
# --outputs-only (the table beside memcheck is the slow mode of the same script, not run here).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib
for tool in perl python3 sort git xz sqlite3; do
    command -v $tool >/dev/null || skip "$tool is not installed (tools/deps.sh test)"
done
"$LIBLEAK_ROOT/tests/gate_real_programs.sh" --outputs-only || fail "a program behaved differently under the gate (above)"
