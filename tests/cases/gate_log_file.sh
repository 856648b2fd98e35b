#!/bin/bash
# LIBLEAK_LOG=TEMPLATE: everything libleak would print on stderr (a bad LIBLEAK_* value, a
# failure, the leak gate's report) goes to that file instead, one file per process (%p), and
# the program's stdout, stderr and exit status are byte for byte those of its bare run but for
# the gate's 23. The file is created 0600 (LIBLEAK_MODE), never through a symlink, appended to
# by an exec under the same pid; a template that cannot be written gets one line on stderr and
# the lines go to stderr as without it.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog log_target
P=$TESTBIN/log_target
umask 022

# run NAME ENV=VAL... -- ARGS: log_target ARGS bare (NAME.bare/) and under the library with the
# environment given (NAME/, where the log files appear); NAME/status, NAME.bare/status.
run() {
  local name=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  mkdir -p "$name" "$name.bare"
  (cd "$name.bare" && timeout 60 "$P" "$@" >out 2>err; echo $? >status)
  (cd "$name" && timeout 60 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$P" "$@" >out 2>err; echo $? >status)
}

same() {  # NAME FILE: FILE of the run under the library is the bare run's, byte for byte
  cmp -s "$1.bare/$2" "$1/$2" || fail "$1: $2 differs from the bare run: $(diff "$1.bare/$2" "$1/$2" | head -n 5)"
}

logs_in() {  # DIR: the log files there
  (cd "$1" && ls r.*.log 2>/dev/null)
}

# A clean program: nothing to say, so no file at all.
run clean LIBLEAK_CHECK=1 LIBLEAK_LOG='r.%p.log' -- clean
for f in out err status; do same clean $f; done
assert_eq "" "$(logs_in clean)" "clean: log files"
echo "ok: clean: stdout, stderr and status as bare, no log file"

# A leaking program: stderr as bare, status 23, the report only in the file.
run leak LIBLEAK_CHECK=1 LIBLEAK_LOG='r.%p.log' -- leak
same leak out; same leak err
assert_eq 23 "$(cat leak/status)" "leak: exit status"
log=$(logs_in leak)
[ "$(echo "$log" | wc -w)" = 1 ] || fail "leak: not one log file: $log"
grep -q '^libleak: LEAK SUMMARY:$' "leak/$log" || fail "leak: no LEAK SUMMARY in $log: $(cat "leak/$log")"
grep -q '^libleak: 1,000 bytes in 1 blocks are definitely lost in loss record 1 of 1$' "leak/$log" ||
  fail "leak: no loss record in $log: $(cat "leak/$log")"
grep -q 'leak gate failed: 1,000 bytes lost' "leak/$log" || fail "leak: no verdict line in $log"
assert_eq "-rw-------" "$(stat -c %A "leak/$log")" "leak: the log file's mode (LIBLEAK_MODE's default 0600)"
echo "ok: leak: stdout and stderr as bare, status 23, the report in $log"

# A failing program keeps its status; the report is in the file.
run exit3 LIBLEAK_CHECK=1 LIBLEAK_LOG='r.%p.log' -- exit3
for f in out err status; do same exit3 $f; done
grep -q 'LEAK SUMMARY' "exit3/$(logs_in exit3)" || fail "exit3: no report in the log file"
echo "ok: exit3: stdout, stderr and status 3 as bare, the report in the file"

# fork: one file per process (%p is the child's own pid), each with its own report; the bad
# value's line in the parent's (the constructor, which logs it, does not run in the child).
run fork LIBLEAK_CHECK=1 LIBLEAK_LOG='r.%p.log' LIBLEAK_DEPTH=abc LIBLEAK_MODE=0640 -- fork
same fork err
assert_eq 23 "$(cat fork/status)" "fork: the parent's status"
read -r child status < <(sed -n 's/^child \([0-9]*\) status \([0-9-]*\)$/\1 \2/p' fork/out)
assert_eq 23 "$status" "fork: the child's status"
parent_log=$(cd fork && ls r.*.log | grep -v "^r.$child.log$")
[ -f "fork/r.$child.log" ] || fail "fork: no r.$child.log for the child: $(logs_in fork)"
[ "$(echo "$parent_log" | wc -w)" = 1 ] || fail "fork: not one file for the parent: $(logs_in fork)"
grep -q '^libleak: 200 bytes in 1 blocks are definitely lost' "fork/r.$child.log" || fail "fork: the child's report: $(cat "fork/r.$child.log")"
grep -q '^libleak: 1,000 bytes in 1 blocks are definitely lost' "fork/$parent_log" || fail "fork: the parent's report: $(cat "fork/$parent_log")"
grep -q '1,000 bytes' "fork/r.$child.log" && fail "fork: the parent's leak in the child's file"
assert_eq 1 "$(grep -c 'LIBLEAK_DEPTH="abc"' "fork/$parent_log")" "fork: the bad value's line in the parent's file"
assert_eq "-rw-r-----" "$(stat -c %A "fork/$parent_log")" "fork: LIBLEAK_MODE=0640"
echo "ok: fork: r.$child.log and $parent_log, each with its own report; the bad value's line in the file"

# Without the gate: a bad value and a profile that cannot be written, all in the file.
run profile LIBLEAK_LOG='r.%p.log' LIBLEAK_RATE=1 LIBLEAK_SIGNAL=bogus LIBLEAK_OUT=/nonexistent/dir/x.pb.gz -- clean
for f in out err status; do same profile $f; done
text=$(cat "profile/$(logs_in profile)")
assert_contains "$text" 'LIBLEAK_SIGNAL="bogus"' "profile: the bad value's line"
assert_contains "$text" 'cannot write profile /nonexistent/dir/x.pb.gz' "profile: the failure's line"
echo "ok: without the gate: the bad value and the failed profile in the file, stderr as bare"

# A template that cannot be written: one line on stderr saying so, then the report there.
run unwritable LIBLEAK_CHECK=1 LIBLEAK_LOG="$PWD/no/such/dir/r.%p.log" -- leak
same unwritable out
assert_eq 23 "$(cat unwritable/status)" "unwritable: exit status"
assert_eq 1 "$(grep -c '^libleak: LIBLEAK_LOG=".*/no/such/dir/r.%p.log": cannot write .*/no/such/dir/r\.[0-9]*\.log: No such file or directory; libleak.s lines go to stderr$' unwritable/err)" \
  "unwritable: the line saying so: $(cat unwritable/err)"
grep -q '^libleak: LEAK SUMMARY:$' unwritable/err || fail "unwritable: the report is not on stderr"
assert_eq "$(cat unwritable.bare/err)" "$(grep -v '^libleak: ' unwritable/err)" "unwritable: the program's own stderr lines"
echo "ok: unwritable template: one line on stderr, the report there"

# A symlink at the name is not followed: its target stays as it was.
mkdir -p symlink && echo untouched >symlink/target && ln -s target symlink/r.log
run symlink LIBLEAK_CHECK=1 LIBLEAK_LOG="$PWD/symlink/r.log" -- leak
assert_eq untouched "$(cat symlink/target)" "symlink: the link's target"
grep -q 'LIBLEAK_LOG=.*cannot write .*symlink/r.log: Too many levels of symbolic links' symlink/err ||
  fail "symlink: no line on stderr: $(cat symlink/err)"
echo "ok: a symlink at the name: not followed, the lines on stderr"

# A bad template: one line on stderr, lines there as without LIBLEAK_LOG.
run bad LIBLEAK_CHECK=1 LIBLEAK_LOG='r.%n.log' -- leak
grep -q '^libleak: LIBLEAK_LOG="r.%n.log" is not a file name template' bad/err || fail "bad template: no line: $(cat bad/err)"
grep -q 'LEAK SUMMARY' bad/err || fail "bad template: the report is not on stderr"
assert_eq "" "$(logs_in bad)" "bad template: log files"
echo "ok: a bad template: one line and the report on stderr"

# exec under the same pid: the new image appends to what the first one wrote.
mkdir -p exec && (cd exec && timeout 60 env LIBLEAK_LOG='r.%p.log' LIBLEAK_DEPTH=abc LIBLEAK_CHECK=1 \
  LD_PRELOAD="$LIBLEAK_SO" sh -c 'echo $$ >pid; exec "$0" leak' "$P" >out 2>err)
pid=$(cat exec/pid)
[ -f "exec/r.$pid.log" ] || fail "exec: no r.$pid.log: $(ls exec)"
assert_eq 2 "$(grep -c 'LIBLEAK_DEPTH="abc"' "exec/r.$pid.log")" "exec: the bad value's line of each image"
grep -q 'LEAK SUMMARY' "exec/r.$pid.log" || fail "exec: the exec'ed image's report"
assert_eq "$(cat leak.bare/err)" "$(cat exec/err)" "exec: stderr"
echo "ok: exec under the same pid: one file, both images' lines"

# Without LIBLEAK_LOG, started with stderr closed: the constructor's line about a bad value is
# held until the log's place is known and lands in libleak.PID.log beside the profiles.
mkdir -p closed && (cd closed && timeout 60 env LIBLEAK_DEPTH=abc LD_PRELOAD="$LIBLEAK_SO" \
  sh -c 'echo $$ >pid; exec "$0" clean' "$P" >out 2>&-)
pid=$(cat closed/pid)
grep -q 'LIBLEAK_DEPTH="abc"' "closed/libleak.$pid.log" || fail "2>&-: the bad value's line is not in libleak.$pid.log: $(ls closed)"
echo "ok: started with 2>&-: the constructor's line in libleak.$pid.log"
