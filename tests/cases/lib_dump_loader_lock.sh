#!/bin/bash
# No lock of libleak's is held while a loader lock is taken: a program may call libleak_dump
# from its own dl_iterate_phdr callback while another thread dumps. The dump used to walk the
# module list (dl_iterate_phdr) under its own lock, and the two threads deadlocked.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog dump_in_phdr_callback

for mode in default exact; do
  envs=(LIBLEAK_AT_EXIT=0)
  [ $mode = exact ] && envs+=(LIBLEAK_RATE=1)
  out=$(timeout 60 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/dump_in_phdr_callback" 2>err.txt)
  rc=$?
  [ $rc = 124 ] && fail "$mode: deadlock (killed after 60 s)"
  assert_eq 0 "$rc" "$mode: exit status ($(head -c 300 err.txt))"
  assert_eq done "$out" "$mode: output"
  echo "ok: $mode: 60 dumps from inside dl_iterate_phdr beside 60 from another thread"
done
