#!/bin/bash
# The leak gate's verdicts on known leaks and non-leaks (tests/programs/gate_leaks.c): the
# LEAK SUMMARY numbers exactly, the loss records, and the exit status: 23 when a program that
# exited 0 leaked, its own status when it failed, 0 when only reachable blocks are left;
# LIBLEAK_CHECK_MAX, LIBLEAK_EXITCODE, LIBLEAK_CHECK_POSSIBLE and the LIBLEAK_RATE override.
# Two of them are compared with valgrind --leak-check=full when valgrind is installed.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog gate_leaks
P=$TESTBIN/gate_leaks

# A direct leak: two blocks from two stacks, largest first, symbolized.
gate_run direct -- "$P" direct
cat direct.err >&2
assert_eq 23 "$gate_rc" "direct: exit status"
assert_summary direct.err "4248 2" "0 0" "0 0" "direct"
assert_eq "0 0" "$(summary_of direct.err "still reachable")" "direct: still reachable"
assert_eq "0 0" "$(summary_of direct.err suppressed)" "direct: suppressed"
first=$(grep -m1 'loss record' direct.err)
assert_eq "libleak: 4,000 bytes in 1 blocks are definitely lost in loss record 1 of 2" "$first" "direct: first record"
grep -A1 'loss record 1 of 2' direct.err | grep -Eq '^libleak:    #0 0x[0-9a-f]+ in leak_direct_big .*gate_leaks\.c:[0-9]+$' \
  || fail "direct: record 1's first frame is not leak_direct_big file:line"
grep -A1 'loss record 2 of 2' direct.err | grep -q ' in leak_direct_small ' || fail "direct: record 2 is not leak_direct_small"
grep -q 'in main ' direct.err || fail "direct: main is not in the stacks"
grep -q 'leakcheck\|libleak_' direct.err && fail "direct: libleak's own frames in the report: $(grep 'leakcheck\|libleak_' direct.err)"
[ -s direct.out ] && fail "direct: the program's stdout changed: $(cat direct.out)"

# Kept from a global, from __thread: still reachable, exit 0.
gate_run global -- "$P" global
assert_eq 0 "$gate_rc" "global: exit status"
assert_summary global.err "0 0" "0 0" "0 0" "global"
assert_eq "1024 1" "$(summary_of global.err "still reachable")" "global: still reachable"
grep -q 'loss record' global.err && fail "global: a loss record for a reachable block"
gate_run tls -- "$P" tls
assert_eq 0 "$gate_rc" "tls: exit status"
assert_eq "512 1" "$(summary_of tls.err "still reachable")" "tls: still reachable"

# Kept only from memory the program mapped itself: still reachable (memcheck scans it too).
gate_run mmapped -- "$P" mmapped
assert_eq 0 "$gate_rc" "mmapped: exit status"
assert_summary mmapped.err "0 0" "0 0" "0 0" "mmapped"
assert_eq "600 1" "$(summary_of mmapped.err "still reachable")" "mmapped: still reachable"

# Only an interior pointer: possibly lost; fails only with LIBLEAK_CHECK_POSSIBLE=1.
gate_run interior -- "$P" interior
assert_eq 0 "$gate_rc" "interior: exit status"
assert_summary interior.err "0 0" "0 0" "100 1" "interior"
grep -q '100 bytes in 1 blocks are possibly lost in loss record 1 of 1' interior.err || fail "interior: no possibly lost record"
gate_run interior_counted LIBLEAK_CHECK_POSSIBLE=1 -- "$P" interior
assert_eq 23 "$gate_rc" "interior with LIBLEAK_CHECK_POSSIBLE=1: exit status"

# A lost list: the head definitely, the 10 other nodes indirectly.
gate_run list -- "$P" list
assert_eq 23 "$gate_rc" "list: exit status"
assert_summary list.err "32 1" "320 10" "0 0" "list"

# A program that failed keeps its status.
gate_run exit3 -- "$P" exit3
assert_eq 3 "$gate_rc" "exit3: exit status"
assert_summary exit3.err "4248 2" "0 0" "0 0" "exit3"

# A program that closed its stderr on the way out still gets the report (its stderr, a file,
# opened again by its name).
gate_run closed -- "$P" closestderr
assert_eq 23 "$gate_rc" "closestderr: exit status"
assert_summary closed.err "4248 2" "0 0" "0 0" "closestderr"

# LIBLEAK_CHECK_MAX: at the lost bytes passes, one byte below fails. LIBLEAK_EXITCODE.
gate_run max_equal LIBLEAK_CHECK_MAX=4248 -- "$P" direct
assert_eq 0 "$gate_rc" "LIBLEAK_CHECK_MAX=4248 with 4,248 bytes lost: exit status"
assert_summary max_equal.err "4248 2" - - "LIBLEAK_CHECK_MAX=4248"
gate_run max_below LIBLEAK_CHECK_MAX=4247 -- "$P" direct
assert_eq 23 "$gate_rc" "LIBLEAK_CHECK_MAX=4247: exit status"
gate_run code LIBLEAK_EXITCODE=42 -- "$P" list
assert_eq 42 "$gate_rc" "LIBLEAK_EXITCODE=42: exit status"
gate_run code0 LIBLEAK_EXITCODE=0 -- "$P" list
assert_eq 0 "$gate_rc" "LIBLEAK_EXITCODE=0 (report only): exit status"
assert_summary code0.err "32 1" "320 10" - "LIBLEAK_EXITCODE=0"

# Nothing left at all: the summary says so, exit 0, no .leaks profile.
mkdir quiet && cd quiet || exit 1
gate_run none -- "$P" none
assert_eq 0 "$gate_rc" "none: exit status"
assert_summary none.err "0 0" "0 0" "0 0" "none"
compgen -G '*.leaks.*' >/dev/null && fail "none: a .leaks profile without leaks: $(ls)"
cd .. || exit 1

# LIBLEAK_RATE other than 1 with the gate: one line, and exact tracking anyway.
gate_run rate LIBLEAK_RATE=512k -- "$P" list
assert_eq 1 "$(grep -c 'LIBLEAK_RATE="512k" is ignored with LIBLEAK_CHECK=1' rate.err)" "LIBLEAK_RATE=512k: one line"
assert_summary rate.err "32 1" "320 10" "0 0" "LIBLEAK_RATE=512k"
gate_run rate1 LIBLEAK_RATE=1 -- "$P" list
grep -q 'LIBLEAK_RATE' rate1.err && fail "LIBLEAK_RATE=1 with the gate: a line about it: $(cat rate1.err)"

# The same numbers as memcheck.
if command -v valgrind >/dev/null 2>&1; then
  for scenario in direct list interior mmapped; do
    valgrind_summary "$scenario" "$P" "$scenario"
    for class in "definitely lost" "indirectly lost" "possibly lost"; do
      assert_eq "$(summary_of "$scenario.vg" "$class")" "$(summary_of "$scenario.err" "$class")" "$scenario: $class, memcheck vs libleak"
    done
    echo "ok: $scenario agrees with memcheck"
  done
else
  echo "valgrind not installed: no comparison with memcheck"
fi
echo "ok: verdicts"
