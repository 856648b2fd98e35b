#!/bin/bash
# leakprof list agrees with go tool pprof -list: the same functions, files, per-line flat and
# cum values and source text, on every fixture pprof reads the same way, every sample index,
# one profile and several merged. The one deliberate difference (leakprof(1)): where a source
# file is not on disk pprof prints " Error: ..." and no lines, leakprof a note and the lines
# that carry values; both are cut before comparing, and the numbers leakprof adds there are
# checked by hand below.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
have_go || skip "go tool pprof not installed"
cd_fixtures
# normalize: drop pprof's error lines, and leakprof's note with the lines under it.
normalize() {
  awk '/^ Error: could not find file / { next }
       /^ Source not found: / { skipping = 1; next }
       /^ROUTINE|^No source information/ { skipping = 0 }
       !skipping { print }' "$1"
}
list_same() {  # list_same WHAT REGEX ARGS... (ARGS: pprof options, then the files)
  local what=$1 re=$2; shift 2
  local pprof_args=() leakprof_args=() a
  for a in "$@"; do
    case $a in
      -sample_index=*) pprof_args+=("$a"); leakprof_args+=("--sample-index=${a#-sample_index=}") ;;
      -base=* | -focus=* | -ignore=*) pprof_args+=("$a"); leakprof_args+=("-$a") ;;
      *) pprof_args+=("$a"); leakprof_args+=("$a") ;;
    esac
  done
  gopprof -symbolize=none -list "$re" "${pprof_args[@]}" >"$TEST_TMP/want" 2>"$TEST_TMP/pprof.err" \
    || fail "$what: go tool pprof failed: $(cat "$TEST_TMP/pprof.err")"
  "$LEAKPROF" list "$re" "${leakprof_args[@]}" >"$TEST_TMP/got" || fail "$what: leakprof list exited $?"
  grep -q '^ROUTINE' "$TEST_TMP/want" || fail "$what: pprof listed no routine"
  diff -u <(normalize "$TEST_TMP/want") <(normalize "$TEST_TMP/got") >"$TEST_TMP/diff" \
    || fail "$what: leakprof list differs from go tool pprof -list:
$(head -40 "$TEST_TMP/diff")"
}
checked=0
for f in $LEAKPROF_GO_FIXTURES $LEAKPROF_LIBLEAK_FIXTURES edge/inlined.pb.gz edge/mappings.pb \
  edge/zero_negative.pb edge/drop_frames.pb edge/unnamed.pb; do
  types=$(sample_type_count "$f")
  for ((i = 0; i < types; i++)); do
    list_same "$f index $i" . -sample_index=$i "$f"
    checked=$((checked + 1))
  done
done
list_same "one function" 'main\.leakyCache' go_heap_3.pb.gz
list_same "merged Go heaps" . go_heap_1.pb.gz go_heap_2.pb.gz go_heap_4.pb.gz
list_same "merged Go heaps alloc_space" main -sample_index=alloc_space go_heap_1.pb.gz go_heap_4.pb.gz
list_same "merged libleak profiles" . libleak_demo_1.pb.gz libleak_demo_4.pb.gz
list_same "with a base" main -base=go_heap_1.pb.gz go_heap_4.pb.gz
list_same "with focus and ignore" main -focus=steady -ignore=handleRequest go_heap_4.pb.gz
# The lines leakprof adds where pprof prints an error: glibc's sources are not here, the
# values are (the demo's 40.89MB all pass through __libc_start_call_main's line 58).
out=$("$LEAKPROF" list __libc_start_call_main libleak_demo_4.pb.gz)
assert_contains "$out" " Source not found: ../sysdeps/nptl/libc_start_call_main.h" "note for a missing file"
assert_contains "$out" "         .    40.89MB     58:" "valued line of a missing file"
# A file shorter than the profile says: the lines past its end that carry values still show.
mkdir -p "$TEST_TMP/src/examples"
head -100 "$LIBLEAK_ROOT/examples/leaky_server.c" >"$TEST_TMP/src/examples/leaky_server.c"
out=$("$LEAKPROF" list --source-path "$TEST_TMP/src" '^remember_request$' libleak_demo_4.pb.gz)
assert_contains "$out" "ends at line 100; lines past it that carry values:" "short file note"
assert_contains "$out" "   40.89MB    40.89MB    126:" "valued line past the end of a short file"
# No match: exit 2 and pprof's message.
status=0; "$LEAKPROF" list nosuchfunction go_heap_1.pb.gz 2>"$TEST_TMP/err" >/dev/null || status=$?
assert_eq 2 "$status" "exit status without a match"
assert_eq "leakprof list: no matches found for regexp: nosuchfunction" "$(cat "$TEST_TMP/err")" "no-match message"
echo "$checked single-profile comparisons, 3 merged ones and 3 with options agree"
