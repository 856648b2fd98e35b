#!/bin/bash
# LIBLEAK_SUPPRESSIONS: LeakSanitizer's leak:PATTERN lines (common/suppressions.h) match function
# names, module paths and source files anywhere in the allocation stack; suppressed records leave
# the report and the verdict but are counted in the summary's "suppressed" line. A malformed line
# is named and refuses the whole file (the check runs without it); a missing file is named.
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

# Both, with an anchored pattern on a function that is in both stacks (main).
printf 'leak:^main$\n' >all.supp
gate_run all LIBLEAK_SUPPRESSIONS=all.supp -- "$P" direct
cat all.err >&2
assert_eq 0 "$gate_rc" "all suppressed: exit status"
assert_summary all.err "0 0" "0 0" "0 0" "all suppressed"
assert_eq "4248 2" "$(summary_of all.err suppressed)" "all suppressed: the suppressed line"
grep -q 'loss record' all.err && fail "all suppressed: a loss record is left"

# A malformed line: named, and the file refused whole, so nothing is suppressed and the gate fails.
printf 'nonsense here\nleak:main\n' >bad.supp
gate_run bad LIBLEAK_SUPPRESSIONS=bad.supp -- "$P" direct
cat bad.err >&2
assert_eq 23 "$gate_rc" "malformed file: exit status"
assert_eq "0 0" "$(summary_of bad.err suppressed)" "malformed file: nothing suppressed"
grep -q "bad.supp:1: expected 'leak:PATTERN', got 'nonsense here'; no suppressions from this file" bad.err ||
  fail "malformed file: the line is not named"

# A pattern matches anywhere in a name, as LeakSanitizer's; '?' is no wildcard.
printf 'leak:direct_sma\nleak:ma?n\n' >part.supp
gate_run part LIBLEAK_SUPPRESSIONS=part.supp -- "$P" direct
assert_eq 23 "$gate_rc" "part of a name: exit status"
assert_eq "248 1" "$(summary_of part.err suppressed)" "part of a name: the suppressed line"

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
