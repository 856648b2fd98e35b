#!/bin/bash
# leakprof check: exit 0 within limits, 1 with a report over them, 2 for bad input;
# leak:PATTERN suppressions; several profiles gated as their merge (the sum pprof reads), or
# one by one with --each.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
cd_fixtures
supp=$TEST_TMP/suppressions
printf '# accepted: the cache of the example\n\nleak:main.leaky*\n  leak:*steadyBuffers  \n' >"$supp"
pinned check_over.txt "$LEAKPROF" check --max-bytes 1MB go_heap_4.pb.gz
pinned check_ok.txt "$LEAKPROF" check --max-bytes 2MB --max-objects 1000 go_heap_4.pb.gz
pinned check_objects.txt "$LEAKPROF" check --max-objects 100 go_heap_1.pb.gz go_heap_4.pb.gz
pinned check_objects_each.txt "$LEAKPROF" check --each --max-objects 100 go_heap_1.pb.gz go_heap_4.pb.gz
pinned check_strict.txt "$LEAKPROF" check --each edge/empty.pb edge/mappings.pb
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

# Merged check of A B gates the sum of A and B. The sums are taken without the merge code:
# each file's folded stacks added up (and, where Go is installed, go tool pprof -top A B's
# total). At exactly the sum the gate passes; one byte or object less and it fails.
a=go_heap_1.pb.gz b=go_heap_4.pb.gz
folded_sum() {  # folded_sum INDEX FILE...: the sum of the files' values, file by file
  local index=$1 total=0 file; shift
  for file in "$@"; do
    total=$((total + $("$LEAKPROF" folded -i "$index" "$file" | awk '{ s += $NF } END { print s + 0 }')))
  done
  echo "$total"
}
bytes=$(folded_sum inuse_space $a $b)
objects=$(folded_sum inuse_objects $a $b)
[ "$bytes" -gt "$(folded_sum inuse_space $b)" ] || fail "the sum of two heaps ($bytes) is not above one"
if have_go; then
  pprof_total() {
    gopprof -symbolize=none -unit=byte -sample_index="$1" -top $a $b 2>/dev/null |
      sed -n 's/.* of \([0-9]*\)B\{0,1\}\(byte\)\{0,1\} total.*/\1/p' | head -1
  }
  assert_eq "$bytes" "$(pprof_total inuse_space)" "in-use bytes of A+B against go tool pprof -top A B"
  assert_eq "$objects" "$(pprof_total inuse_objects)" "in-use objects of A+B against go tool pprof -top A B"
fi
out=$("$LEAKPROF" check --max-bytes "$bytes" --max-objects "$objects" $a $b) || fail "check at the sum failed: $out"
assert_contains "$out" "$a + $b: ok: " "merged check names both files"
status=0; "$LEAKPROF" check --max-bytes $((bytes - 1)) $a $b >/dev/null || status=$?
assert_eq 1 "$status" "merged check one byte under the sum"
status=0; "$LEAKPROF" check --max-objects $((objects - 1)) $a $b >/dev/null || status=$?
assert_eq 1 "$status" "merged check one object under the sum"
# Each file within the limit, the merge over it: the default fails, --each passes.
limit=$(( $(folded_sum inuse_space $b) > $(folded_sum inuse_space $a) ? $(folded_sum inuse_space $b) : $(folded_sum inuse_space $a) ))
status=0; "$LEAKPROF" check --max-bytes "$limit" $a $b >/dev/null || status=$?
assert_eq 1 "$status" "merged check over the largest file's bytes"
out=$("$LEAKPROF" check --each --max-bytes "$limit" $a $b) || fail "--each within the largest file's bytes failed: $out"
assert_eq 2 "$(grep -c ': ok: ' <<<"$out")" "--each prints one verdict per file"
# The merged verdict is the same whether the files are named or globbed.
assert_eq "$("$LEAKPROF" check --max-bytes 2MB 'go_heap_[14].pb.gz' | sed 's/^[^:]*://')" \
  "$("$LEAKPROF" check --max-bytes 2MB $a $b | sed 's/^[^:]*://')" "check of a glob = check of its files"
# Files of different sample types cannot be merged: bad input, as for top.
status=0; "$LEAKPROF" check $a go_cpu.pb.gz >/dev/null 2>&1 || status=$?
assert_eq 2 "$status" "check merging a heap and a CPU profile"
