#!/bin/bash
# Several profiles read as one, as `go tool pprof A B C` merges them: top (every sample
# index, default trimming and -nodefraction=0) and traces equal pprof's; a quoted glob is
# the same merge; folded sums; files of different sample types are refused; and diff,
# growth and check take a quoted glob as the sum of several processes.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
cd_fixtures
go_heaps="go_heap_1.pb.gz go_heap_3.pb.gz go_heap_4.pb.gz"
libleak="libleak_demo_1.pb.gz libleak_demo_4.pb.gz"
if have_go; then
  for set in "$go_heaps" "$libleak" "edge/mappings.pb edge/mappings.pb edge/inlined.pb.gz"; do
    for ((i = 0; i < 4; i++)); do
      same_as_pprof "top $set index $i" -top -sample_index=$i $set -- top --sample-index=$i $set
      same_as_pprof "top $set index $i nodefraction 0" -top -nodefraction=0 -sample_index=$i $set \
        -- top --nodefraction=0 --sample-index=$i $set
    done
    same_as_pprof "traces $set" -traces $set -- traces $set
  done
  same_as_pprof "top --cum merged" -top -cum -sample_index=alloc_space $go_heaps -- top --cum -i alloc_space $go_heaps
else
  echo "go tool pprof not installed: merge checked without it"
fi
# A quoted glob is the same merge as the files it matches.
assert_eq "$("$LEAKPROF" top go_heap_1.pb.gz go_heap_2.pb.gz go_heap_3.pb.gz go_heap_4.pb.gz)" \
  "$("$LEAKPROF" top 'go_heap_[1-4].pb.gz')" "glob = its files"
# folded of a merge: each stack's values summed. A profile merged with itself doubles.
"$LEAKPROF" folded go_heap_4.pb.gz >"$TEST_TMP/one"
"$LEAKPROF" folded go_heap_4.pb.gz go_heap_4.pb.gz >"$TEST_TMP/two"
assert_eq "$(awk '{ $NF = $NF * 2; print }' "$TEST_TMP/one")" "$(cat "$TEST_TMP/two")" "folded of A A = 2 x A"
# Sample types must match.
status=0; "$LEAKPROF" top go_heap_1.pb.gz go_cpu.pb.gz >/dev/null 2>"$TEST_TMP/err" || status=$?
assert_eq 2 "$status" "exit status merging heap and cpu"
assert_contains "$(cat "$TEST_TMP/err")" "leakprof: go_heap_1.pb.gz and go_cpu.pb.gz cannot be merged: different sample types" "merge refusal"
status=0; "$LEAKPROF" top 'nothing-*.pb.gz' >/dev/null 2>"$TEST_TMP/err" || status=$?
assert_eq 2 "$status" "exit status for a glob matching nothing"
assert_eq "leakprof: nothing-*.pb.gz: no file matches this pattern" "$(cat "$TEST_TMP/err")" "empty glob message"
# check: a quoted glob is gated as one sum (leakprof_check.sh: several arguments too).
one=$("$LEAKPROF" check --max-bytes 2MB go_heap_4.pb.gz) || fail "one heap is within 2MB: $one"
status=0; sum=$("$LEAKPROF" check --max-bytes 2MB 'go_heap_[34].pb.gz') || status=$?
assert_eq 1 "$status" "the sum of two heaps is over 2MB"
assert_contains "$sum" "go_heap_[34].pb.gz: FAIL: " "check names the glob"
# growth and diff over sums: two "processes" per snapshot.
out=$("$LEAKPROF" growth 'go_heap_[12].pb.gz' 'go_heap_[34].pb.gz') || fail "growth over globs exited $?"
assert_contains "$out" "go_heap_[12].pb.gz" "growth lists the first sum"
assert_contains "$out" "main.leakyCache" "growth finds the leak in the sums"
out=$("$LEAKPROF" diff 'go_heap_[12].pb.gz' 'go_heap_[34].pb.gz') || fail "diff over globs exited $?"
assert_contains "$out" "Diff: go_heap_[34].pb.gz minus go_heap_[12].pb.gz" "diff names the sums"
