#!/bin/bash
# LIBLEAK_SIGNAL refuses the signals it cannot use: glibc's own (32 and 33, below SIGRTMIN),
# SIGKILL, SIGSTOP, 0-less and out-of-range numbers (lib_signal_numbers: all but USR1, USR2 and
# the real-time signals). Exactly one stderr line naming the
# variable, the value and what is used instead (USR2); the program runs on unchanged, and the
# fallback works: SIGUSR2 then writes a snapshot.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hello_alloc snapshot_target; require_go

"$TESTBIN/hello_alloc" --exit 3 >expected.txt 2>&1
[ $? = 3 ] || fail "hello_alloc --exit 3 does not exit 3 without the library"

n=0
for value in 32 33 9 19 -1 65 1000 SIGKILL KILL STOP; do
  n=$((n + 1)); dir=case$n; mkdir "$dir"
  (cd "$dir" && timeout 30 env LIBLEAK_SIGNAL=$value LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" --exit 3 >out.txt 2>err.txt)
  rc=$?
  assert_eq 3 "$rc" "LIBLEAK_SIGNAL=$value: exit status"
  assert_eq "$(cat expected.txt)" "$(cat "$dir/out.txt")" "LIBLEAK_SIGNAL=$value: stdout"
  lines=$(wc -l <"$dir/err.txt")
  [ "$lines" = 1 ] || fail "LIBLEAK_SIGNAL=$value: expected one line on stderr, got $lines: $(cat "$dir/err.txt")"
  line=$(cat "$dir/err.txt")
  assert_contains "$line" "LIBLEAK_SIGNAL=\"$value\"" "LIBLEAK_SIGNAL=$value: the message names variable and value"
  assert_contains "$line" "using USR2" "LIBLEAK_SIGNAL=$value: the message says what is used instead"
  echo "ok: LIBLEAK_SIGNAL=$value -> $line"
done

# The fallback is in effect: with LIBLEAK_SIGNAL=32 (which would kill the program if it were
# left to its default action) SIGUSR2 writes a snapshot.
mkdir fallback && cd fallback || exit 1
SNAP_SIGNAL=USR2 snapshot_and_exit 'snap.%n.pb.gz' LIBLEAK_SIGNAL=32 LIBLEAK_AT_EXIT=0
files=(snap.*.pb.gz)
assert_eq 1 "${#files[@]}" "LIBLEAK_SIGNAL=32: snapshots after one SIGUSR2"
pprof_raw "${files[0]}" snap.raw
echo "ok: LIBLEAK_SIGNAL=32 refused; SIGUSR2 wrote ${files[0]}"
