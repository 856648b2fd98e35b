#!/bin/bash
# A failure is never silent (issue 19 item 10). When the program has closed its stderr
# (coreutils' close_stdout) or was started with 2>&-, libleak's lines go to libleak.PID.log
# beside the profiles, or to /tmp/libleak.PID.log when that directory cannot take it (the
# documented places: docs/libleak.3, "Messages"). With stderr open they go to stderr and no
# log file appears. The program's output and status are those of its bare run.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog closes_stderr

mkdir bare && (cd bare && timeout 60 "$TESTBIN/closes_stderr" >out.txt 2>err.txt)
assert_eq 0 $? "bare: exit status"
assert_eq done "$(cat bare/out.txt)" "bare: stdout"

# run NAME STDERR_REDIRECTION LIBLEAK_OUT: under the library in directory NAME.
run() {
  mkdir -p "$1" && cd "$1" || exit 1
  eval "timeout 60 env LIBLEAK_OUT='$3' LD_PRELOAD='$LIBLEAK_SO' '$TESTBIN/closes_stderr' >out.txt $2"
  assert_eq 0 $? "$1: exit status"
  assert_eq done "$(cat out.txt)" "$1: stdout"
  pid=$(cat pid.txt)
  cd ..
}

# 1. The profile's directory does not exist: the line goes to /tmp.
run missing_dir "" "$PWD/no/such/dir/heap.%n.pb.gz"
log=/tmp/libleak.$pid.log
[ -f "$log" ] || fail "missing directory: no $log"
text=$(cat "$log"); rm -f "$log"
assert_contains "$text" "libleak: cannot write profile $PWD/no/such/dir/heap.0001.pb.gz: No such file or directory" \
  "missing directory: $log"
echo "ok: missing directory: $text"

# 2. The profile's name is taken (no %n): the line goes beside the profiles.
mkdir -p taken/out && echo other >taken/out/heap.pb.gz
run taken "" "out/heap.pb.gz"
log=taken/out/libleak.$pid.log
[ -f "$log" ] || fail "name taken: no $log"
assert_contains "$(cat "$log")" "cannot write profile $PWD/taken/out/heap.pb.gz: File exists" "name taken: $log"
assert_eq other "$(cat taken/out/heap.pb.gz)" "name taken: the file there"
[ -f "/tmp/libleak.$pid.log" ] && fail "name taken: a log in /tmp too"
echo "ok: name taken: $(cat "$log")"

# 3. Started with stderr closed (2>&-).
mkdir -p closed_at_start/out && echo other >closed_at_start/out/heap.pb.gz
run closed_at_start "2>&-" "out/heap.pb.gz"
assert_contains "$(cat closed_at_start/out/libleak.$pid.log 2>&1)" "File exists" "started with 2>&-"

# 4. stderr open all along: the line is on stderr and no log file appears.
mkdir -p open/out && echo other >open/out/heap.pb.gz
(cd open && timeout 60 env LIBLEAK_OUT=out/heap.pb.gz LD_PRELOAD="$LIBLEAK_SO" \
  sh -c 'echo $$ >pid.txt; exec true' >out.txt 2>err.txt)
pid=$(cat open/pid.txt)
assert_contains "$(cat open/err.txt)" "cannot write profile $PWD/open/out/heap.pb.gz: File exists" "stderr open"
[ -f "open/out/libleak.$pid.log" ] && fail "stderr open: a log file appeared"
[ -f "/tmp/libleak.$pid.log" ] && fail "stderr open: a log file appeared in /tmp"
echo "ok: stderr open: the line is on stderr, no log file"
