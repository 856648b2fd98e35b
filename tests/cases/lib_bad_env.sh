#!/bin/bash
# Every LIBLEAK_* variable with a malformed or out-of-range value: exactly one line on stderr
# naming the variable, the bad value and what is used instead; the program runs on with its
# stdout and exit status unchanged; where the fallback is observable (the rate), it is used.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hello_alloc; require_go

"$TESTBIN/hello_alloc" --exit 3 >expected.txt 2>&1
[ $? = 3 ] || fail "hello_alloc --exit 3 does not exit 3 without the library"

n=0
# bad VAR VALUE FALLBACK_REGEX: FALLBACK_REGEX (grep -E) must appear in the line too.
bad() {
  local var=$1 value=$2 fallback=$3 dir rc lines
  n=$((n + 1)); dir=case$n; mkdir "$dir"
  (cd "$dir" && timeout 30 env "$var=$value" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" --exit 3 >out.txt 2>err.txt)
  rc=$?
  assert_eq 3 "$rc" "$var='$value': exit status"
  assert_eq "$(cat expected.txt)" "$(cat "$dir/out.txt")" "$var='$value': stdout"
  lines=$(wc -l <"$dir/err.txt")
  [ "$lines" = 1 ] || fail "$var='$value': expected one line on stderr, got $lines: $(cat "$dir/err.txt")"
  local line; line=$(cat "$dir/err.txt")
  assert_contains "$line" "$var" "$var='$value': the message names the variable"
  assert_contains "$line" "$value" "$var='$value': the message shows the bad value"
  echo "$line" | grep -Eq -- "$fallback" || fail "$var='$value': the message does not say what is used instead (/$fallback/): $line"
  echo "ok: $var='$value' -> $line"
}

bad LIBLEAK_RATE abc '524288|512 ?[kK]'
bad LIBLEAK_RATE -5 '524288|512 ?[kK]'
bad LIBLEAK_RATE 12x '524288|512 ?[kK]'
bad LIBLEAK_RATE 99999999999999999999g '524288|512 ?[kK]'
bad LIBLEAK_DEPTH abc '64'
bad LIBLEAK_DEPTH 300 '64|256'
bad LIBLEAK_DEPTH -1 '64'
bad LIBLEAK_SIGNAL FOO 'USR2|12'
bad LIBLEAK_SIGNAL 999 'USR2|12'
bad LIBLEAK_SIGNAL USR3 'USR2|12'
bad LIBLEAK_AT_EXIT 2 '1|on|yes|true'
bad LIBLEAK_AT_EXIT maybe '1|on|yes|true'
bad LIBLEAK_UNWIND bogus 'auto'
bad LIBLEAK_MAX_STACKS lots '262144|256 ?[kK]'
bad LIBLEAK_MAX_STACKS 10 '262144|256 ?[kK]|1024'
bad LIBLEAK_MAX_MEMORY 1k '2147483648|2 ?[gG]|16777216|16 ?[mM]'
bad LIBLEAK_SYMBOLIZE maybe '1|on|yes|true'
bad LIBLEAK_OUT 'x.%q.pb.gz' 'libleak\.%e\.%p\.%n\.heap\.pb\.gz'

# The fallback is really used: a bad rate gives the default period, a bad template the default name.
mkdir fallback && cd fallback || exit 1
env LIBLEAK_RATE=abc LIBLEAK_OUT='x.%q' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" >out.txt 2>err.txt \
  || fail "hello_alloc with bad LIBLEAK_RATE and LIBLEAK_OUT failed: $(cat err.txt)"
files=(libleak.hello_alloc.*.heap.pb.gz)
[ -e "${files[0]}" ] || fail "bad LIBLEAK_OUT: no exit profile under the default name: $(ls)"
pprof_raw "${files[0]}" exit.raw
grep -q '^Period: 524288$' exit.raw || fail "bad LIBLEAK_RATE: expected the default period 524288, got: $(grep '^Period' exit.raw)"
