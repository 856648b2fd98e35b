#!/bin/bash
# libleak -p (issue 17): a program that handles SIGUSR2 (the snapshot signal) itself keeps it.
# The attach says to use --dump; SIGUSR2 still reaches the program's handler (it counts 1, no
# snapshot is written), --dump writes one, and after --detach the program's handler is still
# the one that runs.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/lib_attach.inc"
require_lib; require_prog attach_server

start_server "$TESTBIN/attach_server" 2 usr2
attach --rate 1 --out "$PWD/own.%n.pb.gz"
assert_eq 0 "$attach_status" "attach status ($attach_said)"
assert_contains "$attach_said" "it handles the snapshot signal itself: use libleak -p $server_pid --dump" "attach message"
kill -USR2 "$server_pid"
sleep 0.5
send usr2; wait_for_line server.out "usr2 1"
[ -e own.0001.pb.gz ] && fail "SIGUSR2 wrote a snapshot: the program's signal was taken"
send "leak 10"; wait_for_line server.out "leaked 10"
attach --dump
assert_eq 0 "$attach_status" "--dump status ($attach_said)"
wait_for_file own.0001.pb.gz
row=$(function_row own.0001.pb.gz leak_blocks) # leakprof picks B or kB by the profile's total
case "$row" in 10000B*|9.77kB*) ;; *) fail "leak_blocks is not 10 x 1000 bytes: $row" ;; esac
attach --detach
assert_eq 0 "$attach_status" "--detach status ($attach_said)"
kill -USR2 "$server_pid"
sleep 0.5
send usr2; wait_for_line server.out "usr2 2"
stop_server
assert_eq 3 "$server_status" "the server's exit status"
assert_eq "$(printf 'ready\nusr2 1\nleaked 10\nusr2 2\nbye')" "$(cat server.out)" "the server's output"
