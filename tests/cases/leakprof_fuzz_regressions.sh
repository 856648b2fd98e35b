#!/bin/bash
# Every input the fuzzer ever crashed on (tests/fixtures/fuzz/), and every hand-built edge
# case, through every command: exit 0, 1 or 2, never a signal. When `make fuzz` has built
# the sanitized target, the inputs are replayed under ASan/UBSan as well.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
cd_fixtures
count=0
for f in fuzz/* edge/*; do
  case "$f" in *.md) continue ;; esac
  for command in "top" "top --base $f" "traces" "folded" "info" "check" "diff $f" "growth $f" "html -o /dev/null --base $f"; do
    status=0
    $LEAKPROF $command "$f" >/dev/null 2>"$TEST_TMP/err" || status=$?
    [ "$status" -le 2 ] || fail "leakprof $command $f: exit status $status"
    if [ "$status" = 2 ]; then
      [ "$(wc -l <"$TEST_TMP/err")" = 1 ] || fail "leakprof $command $f: not one line: $(cat "$TEST_TMP/err")"
    fi
    count=$((count + 1))
  done
done
fuzzer=$BUILD/fuzz/leakprof_fuzz
if [ -x "$fuzzer" ]; then
  "$fuzzer" -close_fd_mask=3 fuzz/* edge/* >"$TEST_TMP/fuzz.log" 2>&1 \
    || fail "sanitized replay failed: $(tail -20 "$TEST_TMP/fuzz.log")"
  echo "replayed under the sanitizers too"
fi
echo "$count runs"
