#!/bin/bash
# The leak gate's report names frames with libdw (~150 KB of stack for a line table) on the
# thread that exits. It runs on a stack of the library's own (alloc/own_stack.c): a thread with
# a 16 KiB stack that leaks and calls exit(0), and a main thread under `ulimit -s 48`, get their
# report and 23, not SIGSEGV (both crashed when the report ran on the program's stack; so did
# a main thread under `ulimit -s 100` whose report needed libc's line tables). Below ~40 KiB the
# preloaded library itself may crash at start, gate or not: not tested here.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog gate_small_stack
P=$TESTBIN/gate_small_stack

check() {  # NAME WHAT
  assert_eq 23 "$gate_rc" "$2: exit status"
  assert_summary "$1.err" "500 1" "0 0" "0 0" "$2"
  grep -A1 'loss record 1 of 1' "$1.err" | grep -q ' in lose_on_small_stack .*gate_small_stack\.c:' \
    || fail "$2: the record does not name lose_on_small_stack: $(cat "$1.err")"
}

gate_run thread -- "$P" thread
check thread "exit(0) from a thread with a 16 KiB stack"
echo "ok: a 16 KiB thread's exit: reported and failed (23)"

(ulimit -s 48 && "$P") || fail "bare under ulimit -s 48: status $?"
(ulimit -s 48 && gate_run small_main -- "$P"; exit $gate_rc)
gate_rc=$?
check small_main "exit(0) from main under ulimit -s 48"
echo "ok: main under ulimit -s 48: reported and failed (23)"
