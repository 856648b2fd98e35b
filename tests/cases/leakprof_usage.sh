#!/bin/bash
# The command line: --help everywhere, usage errors (exit 2, one line naming the problem),
# and the man page renders and names every command.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
commands="top traces diff growth folded check info list lifetimes"
out=$("$LEAKPROF" --help) || fail "leakprof --help exited $?"
for c in $commands; do
  assert_contains "$out" "  $c " "leakprof --help lists $c"
  help=$("$LEAKPROF" "$c" --help) || fail "leakprof $c --help exited $?"
  assert_contains "$help" "usage: leakprof $c " "$c --help"
done
expect_usage_error() {  # expect_usage_error MESSAGE ARGS...
  local message=$1; shift
  local status=0
  "$LEAKPROF" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
  assert_eq 2 "$status" "exit status of leakprof $*"
  assert_eq "$message" "$(cat "$TEST_TMP/err")" "message of leakprof $*"
}
f=$FIXTURES/go_heap_1.pb.gz
status=0; "$LEAKPROF" >/dev/null 2>&1 || status=$?
assert_eq 2 "$status" "no command"
expect_usage_error "leakprof: unknown command 'tops' (see 'leakprof --help')" tops "$f"
expect_usage_error "leakprof top: unknown option '--frobnicate' (see 'leakprof top --help')" top --frobnicate "$f"
expect_usage_error "leakprof top: missing value for '--focus' (see 'leakprof top --help')" top "$f" --focus
expect_usage_error "leakprof top: bad node count '-3' (see 'leakprof top --help')" top -n -3 "$f"
expect_usage_error "leakprof top: expects one or more profiles (see 'leakprof top --help')" top
expect_usage_error "leakprof folded: unknown option '--base' (see 'leakprof folded --help')" folded --base "$f" "$f"
expect_usage_error "leakprof diff: expects OLD and NEW (see 'leakprof diff --help')" diff "$f"
status=0; "$LEAKPROF" top --focus '(' "$f" >/dev/null 2>"$TEST_TMP/err" || status=$?
assert_eq 2 "$status" "bad regular expression"
assert_contains "$(cat "$TEST_TMP/err")" "leakprof: bad --focus regular expression '('" "regex message"
# Options after the file and --name=value both work.
assert_eq "$("$LEAKPROF" top --sample-index=alloc_space "$f")" "$("$LEAKPROF" top "$f" --sample-index alloc_space)" "option order"
# The man page.
page=$LIBLEAK_ROOT/docs/leakprof.1
if command -v groff >/dev/null; then
  warnings=$(groff -man -ww -z "$page" 2>&1)
  assert_eq "" "$warnings" "groff warnings"
fi
command -v man >/dev/null || skip "man not installed (page checked with groff only)"
text=$(MANWIDTH=80 man -l "$page" 2>/dev/null | tr -s " ") || fail "man -l docs/leakprof.1 failed"
assert_contains "$text" "leakprof - read pprof heap profiles" "man page NAME"
for c in $commands; do
  assert_contains "$text" "leakprof $c" "man page synopsis of $c"
done
