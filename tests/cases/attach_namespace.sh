#!/bin/bash
# libleak -p (issue 17): a process in another mount namespace, where our libleak.so is not at
# our path (a tmpfs hides build/ in it). The wrapper copies the library into the process's root
# (/tmp/libleak-attach-DEV-INODE.so, through /proc/PID/root), the process loads that copy, and
# the attach, a snapshot and the server's exit work as anywhere. Root only (unshare -m).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/lib_attach.inc"
require_lib; require_prog attach_server
[ "$(id -u)" = 0 ] || skip "not root: cannot make a mount namespace (unshare -m)"
command -v unshare >/dev/null || skip "unshare (util-linux) not installed"
unshare -m --propagation private true 2>/dev/null || skip "unshare -m refused here"

cp "$TESTBIN/attach_server" ./server_copy
start_server unshare -m --propagation private sh -c "mount -t tmpfs none '$BUILD' && exec ./server_copy 2"
[ -e "/proc/$server_pid/root$LIBLEAK_SO" ] && fail "the namespace still shows $LIBLEAK_SO"
attach --rate 1 --out "$PWD/ns.%n.pb.gz"
assert_eq 0 "$attach_status" "attach status ($attach_said)"
copy=$(grep -o '/tmp/libleak-attach-[0-9a-f-]*\.so' "/proc/$server_pid/maps" | head -1)
[ -n "$copy" ] || fail "the process did not load a copy of libleak.so: $(grep -i libleak "/proc/$server_pid/maps" | head -3)"
trap 'rm -f "$copy"' EXIT
send "leak 20"; wait_for_line server.out "leaked 20"
attach --dump
assert_eq 0 "$attach_status" "--dump status ($attach_said)"
wait_for_file ns.0001.pb.gz
assert_contains "$(function_row ns.0001.pb.gz leak_blocks)" "19.53kB" "leak_blocks: 20 x 1000 bytes"
stop_server
assert_eq 3 "$server_status" "the server's exit status"
assert_eq "$(printf 'ready\nleaked 20\nbye')" "$(cat server.out)" "the server's output"
