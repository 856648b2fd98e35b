#!/bin/bash
# leakprof check: exit 0 within limits, 1 with a report over them, 2 for bad input;
# leak:GLOB suppressions.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
cd_fixtures
supp=$TEST_TMP/suppressions
printf '# accepted: the cache of the example\n\nleak:main.leaky*\n  leak:*steadyBuffers  \n' >"$supp"
pinned check_over.txt "$LEAKPROF" check --max-bytes 1MB go_heap_4.pb.gz
pinned check_ok.txt "$LEAKPROF" check --max-bytes 2MB --max-objects 1000 go_heap_4.pb.gz
pinned check_objects.txt "$LEAKPROF" check --max-objects 100 go_heap_1.pb.gz go_heap_4.pb.gz
pinned check_strict.txt "$LEAKPROF" check edge/empty.pb edge/mappings.pb
( cd "$TEST_TMP" && cp "$FIXTURES/go_heap_4.pb.gz" . &&
  pinned check_suppressed.txt "$LEAKPROF" check --max-bytes 64k --suppressions suppressions go_heap_4.pb.gz ) || exit 1
status=0; "$LEAKPROF" check --max-bytes 1MB go_heap_4.pb.gz >/dev/null || status=$?
assert_eq 1 "$status" "over the limit"
status=0; "$LEAKPROF" check --max-bytes 2MB go_heap_4.pb.gz >/dev/null || status=$?
assert_eq 0 "$status" "within the limit"
status=0; "$LEAKPROF" check go_cpu.pb.gz >/dev/null 2>"$TEST_TMP/err" || status=$?
assert_eq 2 "$status" "a CPU profile is not a heap profile"
assert_eq "leakprof: go_cpu.pb.gz: no inuse_space sample type (check reads heap profiles)" \
  "$(cat "$TEST_TMP/err")" "message for a CPU profile"
printf 'leak:ok\nmalloc\n' >"$TEST_TMP/bad_supp"
status=0; "$LEAKPROF" check --suppressions "$TEST_TMP/bad_supp" go_heap_4.pb.gz >/dev/null 2>"$TEST_TMP/err" || status=$?
assert_eq 2 "$status" "bad suppressions file"
assert_eq "leakprof: $TEST_TMP/bad_supp:2: expected 'leak:PATTERN', got 'malloc'" "$(cat "$TEST_TMP/err")" "bad suppression message"
status=0; "$LEAKPROF" check --max-bytes lots go_heap_4.pb.gz >/dev/null 2>&1 || status=$?
assert_eq 2 "$status" "bad --max-bytes"
