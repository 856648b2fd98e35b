#!/bin/bash
# Every unit test (tests/unit/*.c) built with AddressSanitizer and UndefinedBehaviorSanitizer,
# apart from the normal build (build/sanitize/asan); any report fails the test. Tests that set
# RLIMIT_AS or RLIMIT_DATA are left out: ASan's shadow memory cannot live under such a limit.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/sanitize.inc"

flags=(-fsanitize=address,undefined -fno-sanitize-recover=all)
dir=$(sanitize_build asan "${flags[@]}") || exit $?
for source in "$LIBLEAK_ROOT"/tests/unit/*.c; do
  test=$(basename "$source" .c)
  # ASan reserves terabytes of shadow memory: a test that sets RLIMIT_AS or RLIMIT_DATA cannot run.
  if grep -qE "RLIMIT_(AS|DATA)" "$source"; then echo "$test: not run (it sets a memory rlimit)"; continue; fi
  sanitize_unit asan "$dir" "$test" "${flags[@]}"
  ASAN_OPTIONS="detect_leaks=0 abort_on_error=0 exitcode=66" UBSAN_OPTIONS="print_stacktrace=1" \
    LIBLEAK_TEST_CHURN=2000000 timeout 240 "$dir/$test" >"$test.out" 2>"$test.err"
  rc=$?
  cat "$test.out"; tail -n 30 "$test.err"
  grep -qE "ERROR: AddressSanitizer|runtime error:" "$test.err" && fail "$test: sanitizer report (exit $rc)"
  assert_eq 0 "$rc" "$test under ASan+UBSan: exit status"
done
