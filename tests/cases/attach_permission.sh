#!/bin/bash
# libleak -p (issue 17): a process the wrapper may not trace. As root: attach_server runs as
# uid 65534 and the wrapper as uid 65533 (setpriv); the wrapper says it is not allowed, names
# the sysctl kernel.yama.ptrace_scope and CAP_SYS_PTRACE, exits 1, and the server runs on and
# ends as bare. Not root: the wrapper is pointed at pid 1 (root's). Yama itself is not provoked
# when the kernel has no Yama (no /proc/sys/kernel/yama): the same message covers it.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/lib_attach.inc"
require_lib; require_prog attach_server

check_denied() {
  assert_eq 1 "$attach_status" "status ($attach_said)"
  assert_contains "$attach_said" "not allowed to trace process $1" "message"
  assert_contains "$attach_said" "kernel.yama.ptrace_scope" "message names the sysctl"
  assert_contains "$attach_said" "CAP_SYS_PTRACE" "message names the capability"
}

[ -e /proc/sys/kernel/yama/ptrace_scope ] || echo "no Yama in this kernel: ptrace_scope itself not provoked"
if [ "$(id -u)" != 0 ]; then
  server_pid=1
  attach
  check_denied 1
  exit 0
fi
command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed: cannot run as two other users"
chmod 0755 . # the server (uid 65534) opens in.fifo here
stage_for_other_users "$BUILD/libleak" "$BUILD/libleak.so" "$TESTBIN/attach_server"
start_server setpriv --reuid=65534 --regid=65534 --clear-groups "$stage/attach_server" 2
attach_said=$(timeout 20 setpriv --reuid=65533 --regid=65533 --clear-groups "$stage/libleak" -p "$server_pid" 2>&1)
attach_status=$?
check_denied "$server_pid"
send "leak 10"; wait_for_line server.out "leaked 10"
stop_server
assert_eq 3 "$server_status" "the server's exit status"
assert_eq "$(printf 'ready\nleaked 10\nbye')" "$(cat server.out)" "the server's output"
