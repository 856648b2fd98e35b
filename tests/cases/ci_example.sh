#!/bin/bash
# examples/ci: `make check` runs each test binary under the leak gate; it fails on the
# leaking test (naming it, with the gate's summary) and passes when only the clean test runs.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib
[ -x "$BUILD/libleak" ] || fail "$BUILD/libleak not built (make all)"
ci() {  # ci ARGS...: make -C examples/ci with its output in this test's directory
    make -s --no-print-directory -C "$LIBLEAK_ROOT/examples/ci" O="$TEST_TMP/ci" LIBLEAK="$BUILD/libleak" "$@"
}
ci all >build.log 2>&1 || fail "examples/ci does not build: $(cat build.log)"
[ -x ci/test_clean ] && [ -x ci/test_leak ] || fail "examples/ci built no tests: $(ls ci)"
# Without the gate both tests pass under libleak.so: nothing to assert about the verdict.
LIBLEAK_CHECK=1 LD_PRELOAD="$LIBLEAK_SO" ci/test_leak >/dev/null 2>probe.err
grep -q 'LEAK SUMMARY' probe.err || skip "examples/ci builds; the gate is not in libleak.so yet (no LEAK SUMMARY from test_leak)"

ci check TESTS=test_clean >clean.out 2>&1
rc=$?
cat clean.out
assert_eq 0 "$rc" "make check with only test_clean"
assert_contains "$(cat clean.out)" "leak gate: all 1 tests passed, no leaks" "clean run's summary"

ci check >all.out 2>&1
rc=$?
cat all.out
[ $rc != 0 ] || fail "make check passed although test_leak leaks"
assert_contains "$(cat all.out)" "PASS  test_clean" "the clean test ran first and passed"
assert_contains "$(cat all.out)" "LEAK  test_leak (exit 23)" "the leaking test is named"
assert_contains "$(cat all.out)" "definitely lost: 20 bytes in 1 blocks" "the gate's summary is shown"
assert_contains "$(cat all.out)" "in count_words" "the loss record's stack is shown"
assert_contains "$(cat all.out)" "leak gate: 1 passed, stopped at test_leak, which leaks" "verdict line"
# A failing test (not a leak) is told apart from a leak.
printf 'int main(void){return 4;}\n' >fails.c
cc -o ci/test_fails fails.c || fail "cc"
ci check TESTS="test_fails test_clean" >fails.out 2>&1 && fail "make check passed a failing test"
assert_contains "$(cat fails.out)" "FAIL  test_fails (exit 4)" "a failing test is a failure, not a leak"
echo "examples/ci ok"
