#!/bin/bash
# libleak -p (issue 17): a target none of whose threads ever blocks: four threads and the main
# thread allocate and free in tight loops (attach_server busy). The wrapper must stop a thread
# outside libc and ld.so, where it holds no allocator lock; the attach works, a leak of 100 x
# 1000 bytes is in the snapshot, the server ends as bare. --verbose's times are in the log.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/lib_attach.inc"
require_lib; require_prog attach_server

start_server "$TESTBIN/attach_server" 4 busy
sleep 0.5
attach --rate 1 --out "$PWD/busy.%n.pb.gz" --verbose
assert_eq 0 "$attach_status" "attach status ($attach_said)"
echo "$attach_said" | grep took
send "leak 100"; wait_for_line server.out "leaked 100"
attach --dump
assert_eq 0 "$attach_status" "--dump status ($attach_said)"
wait_for_file busy.0001.pb.gz
assert_contains "$(function_row busy.0001.pb.gz leak_blocks)" "97.66kB" "leak_blocks: 100 x 1000 bytes"
stop_server
assert_eq 3 "$server_status" "the server's exit status"
assert_eq "$(printf 'ready\nleaked 100\nbye')" "$(cat server.out)" "the server's output"
assert_eq "" "$(cat server.err)" "the server's stderr"
