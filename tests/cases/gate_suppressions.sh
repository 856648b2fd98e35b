#!/bin/bash
# LIBLEAK_SUPPRESSIONS: leak:GLOB lines match function names and module paths anywhere in the
# allocation stack; suppressed records leave the report and the verdict but are counted in the
# summary's "suppressed" line. A malformed line is named and skipped; a missing file is named.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog gate_leaks
P=$TESTBIN/gate_leaks

# One of the two stacks, by function name: the other is still reported and fails the run.
printf '# accepted\n\nleak:leak_direct_small\n' >one.supp
gate_run one LIBLEAK_SUPPRESSIONS=one.supp -- "$P" direct
cat one.err >&2
assert_eq 23 "$gate_rc" "one suppressed: exit status"
assert_summary one.err "4000 1" "0 0" "0 0" "one suppressed"
assert_eq "248 1" "$(summary_of one.err suppressed)" "one suppressed: the suppressed line"
grep -q 'leak_direct_small' one.err && fail "one suppressed: the suppressed stack is still in the report"
assert_contains "$(cat one.err)" "loss record 1 of 1" "one suppressed: records"

# Both, with a glob on a function that is in both stacks (main) and a malformed line.
printf 'nonsense here\nleak:ma?n\n' >all.supp
gate_run all LIBLEAK_SUPPRESSIONS=all.supp -- "$P" direct
cat all.err >&2
assert_eq 0 "$gate_rc" "all suppressed: exit status"
assert_summary all.err "0 0" "0 0" "0 0" "all suppressed"
assert_eq "4248 2" "$(summary_of all.err suppressed)" "all suppressed: the suppressed line"
grep -q "all.supp:1: expected 'leak:PATTERN'" all.err || fail "all suppressed: the malformed line is not named"
grep -q 'loss record' all.err && fail "all suppressed: a loss record is left"

# By module path: the program's own file.
printf 'leak:*/gate_leaks\n' >module.supp
gate_run module LIBLEAK_SUPPRESSIONS=module.supp -- "$P" list
assert_eq 0 "$gate_rc" "module suppressed: exit status"
assert_eq "352 11" "$(summary_of module.err suppressed)" "module suppressed: the suppressed line"

# A glob that matches nothing changes nothing; a missing file is named once.
printf 'leak:no_such_function*\n' >none.supp
gate_run nomatch LIBLEAK_SUPPRESSIONS=none.supp -- "$P" list
assert_eq 23 "$gate_rc" "no match: exit status"
assert_summary nomatch.err "32 1" "320 10" "0 0" "no match"
gate_run missing LIBLEAK_SUPPRESSIONS=missing.supp -- "$P" list
assert_eq 23 "$gate_rc" "missing file: exit status"
assert_eq 1 "$(grep -c 'LIBLEAK_SUPPRESSIONS="missing.supp" cannot be opened' missing.err)" "missing file: one line"
echo "ok: suppressions"
