#!/bin/bash
# libleak never takes a number the program may be about to get, nor its last descriptor
# (issue 19 item 5). A program closes 0 and reopens /dev/null for 2 s, expecting 0 every time;
# under `ulimit -n 4` it expects 3 (its one free number) every time. Meanwhile the watch polls
# every 50 ms (on by default when a memory limit applies: `ulimit -v` here) and snapshots are
# written each second. Bare, then under the library: the same counts, every profile written.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog lowest_descriptor

# run NAME EXPECTED NOFILE [env...]: runs the program for 2 s in directory NAME.
run() {
  local name=$1 expected=$2 nofile=$3
  shift 3
  mkdir "$name" && cd "$name" || exit 1
  (ulimit -v 8000000 && ulimit -n "$nofile" && timeout 60 env "$@" "$TESTBIN/lowest_descriptor" 2 "$expected") \
    >out.txt 2>err.txt
  assert_eq 0 $? "$name: exit status ($(head -c 300 err.txt))"
  cd ..
}

for case in "0 1024" "3 4"; do
  set -- $case
  run "bare_$1" "$1" "$2" LIBLEAK_UNUSED=1
  assert_contains "$(cat bare_$1/out.txt)" "wrong 0 failed 0 " "bare, expecting $1"
  run "lib_$1" "$1" "$2" LIBLEAK_INTERVAL=1s LIBLEAK_PEAK=1 LD_PRELOAD="$LIBLEAK_SO"
  assert_contains "$(cat lib_$1/out.txt)" "wrong 0 failed 0 " "under libleak, expecting $1 (ulimit -n $2)"
  assert_eq "" "$(cat lib_$1/err.txt)" "under libleak, expecting $1: stderr"
  profiles=(lib_$1/*.pb.gz)
  [ ${#profiles[@]} -ge 2 ] || fail "under libleak, expecting $1 (ulimit -n $2): ${#profiles[@]} profiles"
  echo "ok: expecting $1 (ulimit -n $2): $(cat lib_$1/out.txt), ${#profiles[@]} profiles"
done
