#!/bin/bash
# libleak -p (issue 17): a multithreaded server started bare (four threads in tight
# malloc/realloc/free loops, the main thread blocked in read()) is attached a moment later,
# frees and reallocs blocks from before the attach, leaks 100 then 200 blocks of 1000 bytes
# with a snapshot (--dump) after each: leakprof diff shows leak_blocks grown by exactly
# 200000 bytes. Then --detach, a leak unseen, a second attach and a snapshot with the old
# totals. The server's output and exit status are those of a bare run. --verbose's times are
# printed in the log (the attach's and the borrowed thread's stop).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/lib_attach.inc"
require_lib; require_prog attach_server

commands=("free-early" "leak 100" "leak 200" "leak 50")
expected=$(printf 'ready\nfreed-early\nleaked 100\nleaked 200\nleaked 50\nbye')

start_server "$TESTBIN/attach_server" 4
sleep 1
attach --rate 1 --out "$PWD/snap.%n.pb.gz" --verbose
assert_eq 0 "$attach_status" "attach status ($attach_said)"
assert_contains "$attach_said" "attached to process $server_pid" "attach message"
echo "$attach_said" | grep 'took'
send "${commands[0]}"; wait_for_line server.out freed-early
send "${commands[1]}"; wait_for_line server.out "leaked 100"
attach --dump
assert_eq 0 "$attach_status" "--dump status ($attach_said)"
wait_for_file snap.0001.pb.gz
send "${commands[2]}"; wait_for_line server.out "leaked 200"
attach --dump
wait_for_file snap.0002.pb.gz
"$LEAKPROF" diff snap.0001.pb.gz snap.0002.pb.gz >diff.txt 2>&1 || fail "leakprof diff: $(head -c 400 diff.txt)"
first_row=$(sed -n '/^ *flat/{n;p;q}' diff.txt)
assert_contains "$first_row" "leak_blocks" "the function that grew"
assert_contains "$(echo $first_row)" "195.31kB" "leak_blocks grew by 200 x 1000 bytes"
grep -q "allocations since the attach at" diff.txt || fail "no attach comment in the profile: $(head -20 diff.txt)"

# Detach: a leak now is not seen; a second attach starts again (the second --dump's profile
# still has leak_blocks at 300 blocks: the tables were kept).
attach --detach --verbose
assert_eq 0 "$attach_status" "--detach status ($attach_said)"
echo "$attach_said" | grep 'took'
send "${commands[3]}"; wait_for_line server.out "leaked 50"
attach --dump
assert_eq 1 "$attach_status" "--dump after --detach"
assert_contains "$attach_said" "not attached" "--dump after --detach"
attach --out "$PWD/again.%n.pb.gz"
assert_eq 0 "$attach_status" "second attach ($attach_said)"
attach --dump
wait_for_file snap.0003.pb.gz
assert_contains "$(function_row snap.0003.pb.gz leak_blocks)" "292.97kB" \
  "leak_blocks after detach and re-attach (the 50 unseen)"

stop_server
assert_eq 3 "$server_status" "the server's exit status"
assert_eq "$expected" "$(cat server.out)" "the server's output"
assert_eq "" "$(cat server.err)" "the server's stderr"
echo "attach messages:"; cat attach.err
