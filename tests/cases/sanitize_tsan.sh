#!/bin/bash
# The lock-free tables' unit test (tests/unit/test_tables.c: concurrent inserts and removes,
# frees on another thread than the allocating one, striped counters across thread exits)
# built with ThreadSanitizer, apart from the normal build (build/sanitize/tsan). Any data race
# report fails the test.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/sanitize.inc"

flags=(-fsanitize=thread)
dir=$(sanitize_build tsan "${flags[@]}") || exit $?
sanitize_unit tsan "$dir" test_tables "${flags[@]}"
TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1" LIBLEAK_TEST_CHURN=1000000 \
  timeout 240 "$dir/test_tables" >out.txt 2>err.txt
rc=$?
cat out.txt; tail -n 40 err.txt
grep -q "WARNING: ThreadSanitizer" err.txt && fail "ThreadSanitizer reported a race (exit $rc)"
assert_eq 0 "$rc" "test_tables under ThreadSanitizer: exit status"
