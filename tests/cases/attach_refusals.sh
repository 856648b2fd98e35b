#!/bin/bash
# libleak -p (issue 17): targets it cannot or must not serve get their message, status 1, and
# run on unharmed (their output and exit status as bare): no such pid; a static program (no
# libc.so to find dlopen in; skipped when libc.a is missing); a program started under
# LD_PRELOAD=libleak.so; a second attach ("already attached"); --dump and --detach on a
# process never attached.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/lib_attach.inc"
require_lib; require_prog attach_server
expected=$(printf 'ready\nleaked 10\nbye')

# expect_refusal STATUS MESSAGE WHAT: the last attach's status and message.
expect_refusal() {
  assert_eq "$1" "$attach_status" "$3: status ($attach_said)"
  assert_contains "$attach_said" "$2" "$3: message"
}

# finish_server WHAT: the server still works, and ends as bare.
finish_server() {
  send "leak 10"; wait_for_line server.out "leaked 10"
  stop_server
  assert_eq 3 "$server_status" "$1: exit status"
  assert_eq "$expected" "$(cat server.out)" "$1: output"
}

# No such process: a pid above any pid_max.
server_pid=2147483000
attach
expect_refusal 1 "no process with pid 2147483000" "no such pid"

# Never attached.
start_server "$TESTBIN/attach_server" 2
attach --dump
expect_refusal 1 "not attached" "--dump before any attach"
attach --detach
expect_refusal 1 "not attached" "--detach before any attach"
# Attached twice.
attach --out "$PWD/twice.%n"
assert_eq 0 "$attach_status" "first attach ($attach_said)"
attach
expect_refusal 1 "already attached" "second attach"
finish_server "attached twice"

# Started under LD_PRELOAD=libleak.so.
start_server env LD_PRELOAD="$LIBLEAK_SO" LIBLEAK_OUT="$PWD/preloaded.%n" "$TESTBIN/attach_server" 2
attach
expect_refusal 1 "runs under LD_PRELOAD=libleak.so already" "preloaded"
finish_server "preloaded"

# A static program.
if [ -f "$(cc -print-file-name=libc.a)" ] && [ "$(cc -print-file-name=libc.a)" != libc.a ] &&
   cc -std=gnu11 -O1 -static -D_GNU_SOURCE -o static_server "$LIBLEAK_ROOT/tests/programs/attach_server.c" -lpthread 2>cc.err; then
  start_server ./static_server 2
  attach
  expect_refusal 1 "has no libc.so mapped (a static program?)" "static program"
  finish_server "static program"
else
  echo "static program: skipped (no libc.a to link one): $(head -c 200 cc.err 2>/dev/null)"
fi
