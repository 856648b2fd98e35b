#!/bin/bash
# The snapshot signal and the program's threads (README, "When profiles are written"):
#  - sent to the process (kill -USR2), it is handled on a program thread, and a poll(2) with
#    a timeout there fails with EINTR, as it would for any handled signal;
#  - sent to libleak's dumper thread alone (tgkill, the recipe in the README), it writes the
#    snapshot and the program's poll is not interrupted.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog poll_wait
perl -e 'require "syscall.ph"; &SYS_tgkill' 2>/dev/null || skip "perl's syscall.ph (for tgkill) is not installed"

run() {  # run DIR HOW
  mkdir "$1" && cd "$1" || exit 1
  LIBLEAK_AT_EXIT=0 LIBLEAK_OUT='snap.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/poll_wait" 2000 >out.txt 2>err.txt &
  pid=$!
  wait_for_line out.txt ready 30 || { kill -9 $pid; fail "$1: poll_wait never became ready"; }
  sleep 0.2
  if [ "$2" = process ]; then
    kill -USR2 $pid
  else
    tid=$(grep -lx libleak-dumper /proc/$pid/task/*/comm | cut -d/ -f5)
    [ -n "$tid" ] || fail "$1: no thread named libleak-dumper in /proc/$pid/task"
    perl -e 'require "syscall.ph"; syscall(&SYS_tgkill, map { $_ + 0 } @ARGV) == 0 or die "tgkill: $!\n"' $pid $tid 12 \
      || fail "$1: tgkill failed"
  fi
  wait_for_file 'snap.0001.pb.gz' 20 $pid || fail "$1: no snapshot"
  finish $pid 30 "$1: poll_wait"
  cat err.txt >&2
  assert_eq 0 "$rc" "$1: exit status"
  cd ..
}

run process process
assert_eq "$(printf 'ready\npoll -1 EINTR')" "$(cat process/out.txt)" "kill -USR2 (to the process): poll_wait's output"
echo "ok: kill -USR2: snapshot written, the program's poll failed with EINTR (documented)"
run thread thread
assert_eq "$(printf 'ready\npoll 0')" "$(cat thread/out.txt)" "SIGUSR2 to the dumper thread: poll_wait's output"
echo "ok: SIGUSR2 sent to the libleak-dumper thread: snapshot written, the program's poll not interrupted"
