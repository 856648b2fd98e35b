#!/bin/bash
# After fork the child checks itself at its own exit: its leak is reported by the child (whose
# exit status becomes 23) and not by the parent, which leaked nothing and exits 0. A child
# that execs starts afresh: the new program's own check, nothing of the parent's.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog gate_leaks

gate_run fork -- "$TESTBIN/gate_leaks" fork
cat fork.err >&2
assert_eq 0 "$gate_rc" "fork: the parent's exit status"
assert_eq "child status 23" "$(cat fork.out)" "fork: the child's exit status, as the parent saw it"
assert_eq 2 "$(grep -c 'LEAK SUMMARY' fork.err)" "fork: summaries (child and parent)"
assert_eq "333 1" "$(grep -m1 -A1 'LEAK SUMMARY' fork.err | sed -n 's/.*definitely lost: \([0-9,]*\) bytes in \([0-9]*\) blocks/\1 \2/p' | tr -d ,)" \
  "fork: the child's summary (first: the parent waits for it)"
assert_summary fork.err "0 0" "0 0" "0 0" "fork: the parent's summary (last)"
grep -A1 'loss record 1 of 1' fork.err | grep -q ' in leak_in_child ' || fail "fork: the child's record is not leak_in_child"

# exec: the parent leaks before exec'ing a program that leaks nothing.
cat >execer.c <<'C'
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    void *volatile lost = malloc(4321);
    memset(lost, 1, 4321);
    lost = NULL;
    execl(argv[1], argv[1], "none", (char *)NULL);
    return 1;
}
C
cc -O1 -g -o execer execer.c || fail "cannot build execer.c"
gate_run exec -- ./execer "$TESTBIN/gate_leaks"
cat exec.err >&2
assert_eq 0 "$gate_rc" "exec: exit status of the exec'ed program"
assert_eq 1 "$(grep -c 'LEAK SUMMARY' exec.err)" "exec: summaries"
assert_summary exec.err "0 0" "0 0" "0 0" "exec: the new program's summary"
echo "ok: fork and exec"

# The children of a threaded parent whose other thread walks the module list at the fork: the
# loader's lock may be inherited held, and each child's check at exit must not wait for it.
require_prog fork_walker
out=$(timeout 300 env LIBLEAK_CHECK=1 LIBLEAK_EXITCODE=0 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/fork_walker" phdr 2>walker.err)
assert_eq "hung 0 of 30, 0 failed" "$out" "fork_walker under the gate: children that never exited"
[ "$(grep -c 'LEAK SUMMARY' walker.err)" -ge 30 ] || fail "fork_walker under the gate: $(grep -c 'LEAK SUMMARY' walker.err) checks, expected one per child"
echo "ok: the children of a module-walking parent check themselves"
