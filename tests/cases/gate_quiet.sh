#!/bin/bash
# The leak gate is quiet when there is nothing to report, as LeakSanitizer is: a clean
# program's stdout, stderr and exit status under the gate are byte for byte those of the bare
# program (test suites compare stderr; CI logs of thousands of processes stay readable), and
# no file appears in the working directory. A leaking program gets its report on stderr and
# status 23, and still no file: the leaks profile is written only when asked for
# (LIBLEAK_OUT given, or LIBLEAK_CHECK_PROFILE=1). LIBLEAK_CHECK_VERBOSE=1 prints the summary
# of a clean run too.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog gate_leaks

cat >talker.c <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    char *kept = malloc(100);
    printf("out: %s\n", argc > 1 ? argv[1] : "none");
    fprintf(stderr, "err: something the program says\n");
    free(kept);
    return argc > 1 ? atoi(argv[1]) : 0;
}
C
cc -O1 -g -o talker talker.c || fail "cannot build talker.c"

# compare NAME CMD...: bare and under the gate, in directories of their own
compare() {
  local name=$1; shift
  mkdir -p "$name.bare" "$name.gate"
  (cd "$name.bare" && timeout 60 "$@" >out 2>err; echo $? >status)
  (cd "$name.gate" && timeout 60 env LIBLEAK_CHECK=1 LD_PRELOAD="$LIBLEAK_SO" "$@" >out 2>err; echo $? >status)
}

same_as_bare() {  # NAME: stdout, stderr, status and files identical
  local name=$1
  for f in out err status; do
    cmp -s "$name.bare/$f" "$name.gate/$f" ||
      fail "$name: $f differs from bare: $(diff "$name.bare/$f" "$name.gate/$f" | head -n 5)"
  done
  assert_eq "$(ls -A "$name.bare")" "$(ls -A "$name.gate")" "$name: files in the working directory"
}

compare clean "$PWD/talker"
same_as_bare clean
echo "ok: a clean program: stdout, stderr, status and files as bare"

compare failing "$PWD/talker" 3
same_as_bare failing
assert_eq 3 "$(cat failing.gate/status)" "failing: its own status"
echo "ok: a failing clean program (exit 3): as bare"

compare reachable "$TESTBIN/gate_leaks" global
same_as_bare reachable
echo "ok: still reachable blocks only: as bare"

compare leaking "$TESTBIN/gate_leaks" direct
cmp -s leaking.bare/out leaking.gate/out || fail "leaking: stdout differs from bare"
assert_eq 23 "$(cat leaking.gate/status)" "leaking: status"
grep -q 'LEAK SUMMARY' leaking.gate/err || fail "leaking: no summary on stderr"
grep -q 'definitely lost in loss record 1 of 2' leaking.gate/err || fail "leaking: no loss record"
assert_eq "err out status" "$(ls leaking.gate | tr '\n' ' ' | sed 's/ $//')" "leaking: files (no .leaks profile unless asked)"
echo "ok: a leaking program: its report and 23, no file left behind"

mkdir asked && (cd asked && LIBLEAK_CHECK=1 LIBLEAK_CHECK_PROFILE=1 LD_PRELOAD="$LIBLEAK_SO" \
  timeout 60 "$TESTBIN/gate_leaks" direct >/dev/null 2>err)
ls asked/*.leaks.heap.pb.gz >/dev/null 2>&1 || fail "LIBLEAK_CHECK_PROFILE=1: no leaks profile: $(ls asked)"
mkdir named && (cd named && LIBLEAK_CHECK=1 LIBLEAK_OUT=mine.%n.pb.gz LD_PRELOAD="$LIBLEAK_SO" \
  timeout 60 "$TESTBIN/gate_leaks" direct >/dev/null 2>err)
[ -f named/mine.leaks.pb.gz ] || fail "LIBLEAK_OUT given: no leaks profile: $(ls named)"
echo "ok: the leaks profile when asked (LIBLEAK_CHECK_PROFILE=1, or LIBLEAK_OUT given)"

LIBLEAK_CHECK=1 LIBLEAK_CHECK_VERBOSE=1 LD_PRELOAD="$LIBLEAK_SO" timeout 60 ./talker >/dev/null 2>verbose.err
grep -q 'definitely lost: 0 bytes in 0 blocks' verbose.err || fail "LIBLEAK_CHECK_VERBOSE=1: no summary: $(cat verbose.err)"
echo "ok: LIBLEAK_CHECK_VERBOSE=1 prints the summary of a clean run"
