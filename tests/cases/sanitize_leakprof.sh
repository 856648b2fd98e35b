#!/bin/bash
# leakprof under AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer: every
# command (top, traces, diff, growth, folded, check, info, list, html) over every fixture
# (tests/fixtures, edge/, fuzz/) and over the corrupt inputs of leakprof_corrupt_input, also
# merged, with --base and with quoted globs. Any sanitizer report fails, and so does an exit
# status other than 0, 1 or 2. The binary is built once, apart from the normal build, into
# build/sanitize/ (`make leakprof-sanitize`, tools/leakprof/build.mk); the runs go two at a
# time.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"

san=$BUILD/sanitize/leakprof
if ! make --no-print-directory -s -C "$LIBLEAK_ROOT" -j2 BUILD="$BUILD" leakprof-sanitize >build.log 2>&1; then
  # A compiler without the sanitizer runtimes (libasan8/libubsan1, installed by
  # tools/deps.sh for the test target) is a reason to skip; any other build error fails.
  printf 'int main(void) { return 0; }\n' >probe.c
  ${SANITIZE_CC:-gcc} -fsanitize=address,undefined -o probe probe.c >/dev/null 2>&1 ||
    skip "${SANITIZE_CC:-gcc} cannot link -fsanitize=address,undefined here (libasan8/libubsan1 missing)"
  fail "building the sanitized leakprof failed: $(tail -20 build.log)"
fi
[ -x "$san" ] || fail "no $san after make leakprof-sanitize"

logs=$TEST_TMP/reports
mkdir -p "$logs"
export TZ=UTC

# The corrupt inputs of leakprof_corrupt_input.sh, made here (that test runs under ulimit -v,
# which ASan's shadow memory cannot live with).
bad=$TEST_TMP/bad
mkdir -p "$bad/directory"
good=$FIXTURES/go_heap_4.pb.gz
: >"$bad/empty"
printf 'hello, this is not a profile\n' >"$bad/garbage"
head -c 1000 "$good" >"$bad/truncated.gz"
printf '\037\213' >"$bad/magic_only"
cp "$good" "$bad/corrupt.gz"
printf '\377\377\377\377\377\377\377\377' | dd of="$bad/corrupt.gz" bs=1 seek=3000 conv=notrunc 2>/dev/null
cp "$good" "$bad/bad_crc.gz"
printf '\000\000\000\000' | dd of="$bad/bad_crc.gz" bs=1 seek=$(($(stat -c %s "$good") - 8)) conv=notrunc 2>/dev/null
gzip -dc "$good" | head -c 5000 >"$bad/truncated.pb"
gzip -dc "$good" | head -c 5000 | gzip >"$bad/truncated_inside.gz"
head -c 3145728 /dev/zero | gzip -9 >"$bad/bomb.gz"
head -c 3145728 /dev/zero >"$bad/big"
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "\022%c", 0 }' >"$bad/amplified.pb"

printf '# accepted\nleak:main.leaky*\nleak:*steadyBuffers\n' >"$TEST_TMP/supp"
cd_fixtures
files=()
for f in *.pb.gz edge/* fuzz/* "$bad"/* "$bad/missing"; do
  case "$f" in *.md) continue ;; esac
  files+=("$f")
done

# One command line per entry, as the shell would read it ('...' keeps a glob for leakprof).
# A file the plain leakprof refuses is refused while it is read, the same code whatever the
# command: it gets a few commands, the files that are read get them all.
runs=()
for f in "${files[@]}"; do
  q="'$f'"
  if ! "$LEAKPROF" info "$f" >/dev/null 2>&1; then
    runs+=("top $q" "check --each go_heap_1.pb.gz $q" "growth go_heap_1.pb.gz $q" "html -o /dev/null $q")
    continue
  fi
  runs+=("top $q" "top --cum -n 5 -i 0 $q" "top -i 1 --focus main --ignore runtime --nodefraction 0 $q"
    "top --base $q $q" "traces $q" "traces --base go_heap_1.pb.gz $q" "folded $q" "folded -i 0 $q" "info $q"
    "check $q" "check --max-bytes 1MB --max-objects 100 --suppressions $TEST_TMP/supp $q"
    "list . $q" "list --source-path $LIBLEAK_ROOT main $q" "html -o /dev/null $q"
    "html -o /dev/null --base go_heap_1.pb.gz $q" "diff go_heap_1.pb.gz $q" "diff $q $q" "growth $q $q"
    "growth go_heap_1.pb.gz $q go_heap_4.pb.gz" "top go_heap_1.pb.gz $q" "check --each go_heap_1.pb.gz $q")
done
# Merges of well-formed files, quoted globs, --base of a glob, the series commands.
heaps="go_heap_1.pb.gz go_heap_2.pb.gz go_heap_3.pb.gz go_heap_4.pb.gz"
demo="libleak_demo_1.pb.gz libleak_demo_4.pb.gz"
edges="edge/mappings.pb edge/inlined.pb.gz edge/zero_negative.pb edge/empty.pb edge/drop_frames.pb"
for set in "$heaps" "$demo" "$edges" "'go_heap_*.pb.gz'" "'libleak_demo_*.pb.gz'" "'edge/*.pb*'"; do
  runs+=("top $set" "top -i 0 --cum $set" "traces $set" "folded -i 2 $set" "info $set" "check $set"
    "check --each --max-bytes 2MB $set" "list --source-path $LIBLEAK_ROOT . $set" "html -o /dev/null $set"
    "top --base 'go_heap_[12].pb.gz' $set" "traces --base go_heap_1.pb.gz $set"
    "html -o /dev/null --base 'go_heap_[12].pb.gz' $set" "growth $set" "top --older-than 1s $set"
    "traces --older-than 10m $set" "folded --older-than 0s $set" "html -o /dev/null --older-than 2h $set")
done
runs+=("diff 'go_heap_[12].pb.gz' 'go_heap_[34].pb.gz'" "growth 'go_heap_[12].pb.gz' 'go_heap_[34].pb.gz'"
  "html -o /dev/null 'go_heap_[12].pb.gz' 'go_heap_[34].pb.gz'")
# Usage errors and --help of every command.
for command in top traces diff growth folded check list info html; do
  runs+=("$command --help" "$command" "$command --no-such-option go_heap_1.pb.gz")
done
runs+=("--help" "no-such-command" "top --max-bytes lots go_heap_1.pb.gz" "check --max-bytes lots go_heap_1.pb.gz")

# Each run: exit status 0, 1 or 2, else a line in $TEST_TMP/failures. Reports go to files
# of the run's own directory (a command whose stderr is thrown away still leaves one), with
# the command line beside them; a report exits 66/67, apart from leakprof's own 0/1/2. The
# size limits are lowered for the bomb and the big file, as in leakprof_corrupt_input.
printf '%s\0' "${runs[@]}" | LEAKPROF_MAX_INPUT_MB=2 xargs -0 -n 1 -P 2 bash -c '
  line=$1 dir='"$logs"'/run.$$
  mkdir -p "$dir"
  eval "set -- $line"
  ASAN_OPTIONS="log_path=$dir/asan:detect_leaks=1:exitcode=66:abort_on_error=0" \
  UBSAN_OPTIONS="log_path=$dir/ubsan:print_stacktrace=1:halt_on_error=1:exitcode=67" \
    "$0" "$@" >/dev/null 2>/dev/null
  status=$?
  [ "$status" -le 2 ] || echo "exit $status: leakprof $line" >>"'"$TEST_TMP"'/failures"
  if [ -n "$(ls "$dir")" ]; then echo "leakprof $line" >"$dir/command"; else rmdir "$dir"; fi' "$san"

reports=$(ls "$logs" | wc -l)
for dir in "$logs"/*; do
  [ -e "$dir" ] || continue
  fail "sanitizer reports in $reports runs; the first, $(cat "$dir/command"):
$(cat "$dir"/*san* | head -40)"
done
[ ! -s "$TEST_TMP/failures" ] || fail "bad exit status:
$(head -20 "$TEST_TMP/failures")"
echo "${#runs[@]} runs of the sanitized leakprof over ${#files[@]} inputs: no report"
