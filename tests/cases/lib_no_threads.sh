#!/bin/bash
# A sandbox where threads cannot be created (issue 19, item 14): clone3 answers ENOSYS and a
# clone with CLONE_THREAD EPERM (tests/programs/no_threads.c installs that seccomp filter and
# execs the command). ls and sort printed "cannot start the dumper thread" on every run. When
# no setting asked for the thread, the library says nothing and the programs run as bare; when
# one did (LIBLEAK_SIGNAL), one line says the thread could not start.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog no_threads
"$TESTBIN/no_threads" true; [ $? = 77 ] && skip "the seccomp filter cannot be installed here"
# The sandbox works: a thread cannot be created in it, fork can.
out=$(timeout 20 "$TESTBIN/no_threads" python3 -c 'import threading,os
try:
    threading.Thread(target=print).start(); print("thread started")
except RuntimeError as e: print("no thread")
pid=os.fork()
if pid == 0: os._exit(0)
os.waitpid(pid, 0); print("fork ok")' 2>/dev/null) || true
[ -n "$out" ] && assert_eq "no thread fork ok" "$(echo $out)" "the sandbox"

mkdir dir && touch dir/b dir/a dir/c && printf '3\n1\n2\n' >numbers.txt
compare() {  # compare NAME CMD ARGS: bare and under the library, in the sandbox
  local name=$1; shift
  timeout 20 "$TESTBIN/no_threads" "$@" >"$name.bare.out" 2>"$name.bare.err"; local bare_rc=$?
  timeout 20 env LIBLEAK_OUT="$PWD/$name.%p.pb.gz" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/no_threads" "$@" \
    >"$name.lib.out" 2>"$name.lib.err"; local lib_rc=$?
  assert_eq "$bare_rc" "$lib_rc" "$name: exit status"
  assert_eq "$(cat "$name.bare.out")" "$(cat "$name.lib.out")" "$name: stdout"
  assert_eq "$(cat "$name.bare.err")" "$(cat "$name.lib.err")" "$name: stderr"
  compgen -G "$name.*.pb.gz" >/dev/null || fail "$name: no exit profile"
  echo "ok: $name: as bare (status $lib_rc, $(wc -l <"$name.lib.out") lines), nothing from the library, exit profile written"
}
compare ls ls -l dir
compare sort sort -n numbers.txt
compare sort_big sh -c 'seq 200000 | sort -rn | head -n 3'

timeout 20 env LIBLEAK_SIGNAL=USR2 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/no_threads" ls dir >asked.out 2>asked.err
assert_eq 0 $? "LIBLEAK_SIGNAL=USR2: status"
assert_eq "$(cat ls.bare.out | awk '{ print $NF }' | tail -n 3)" "$(cat asked.out)" "LIBLEAK_SIGNAL=USR2: stdout"
assert_eq 1 "$(wc -l <asked.err)" "LIBLEAK_SIGNAL=USR2: lines on stderr ($(cat asked.err))"
assert_contains "$(cat asked.err)" "cannot start the dumper thread" "LIBLEAK_SIGNAL=USR2: the line"
echo "ok: LIBLEAK_SIGNAL=USR2: one line: $(cat asked.err)"
