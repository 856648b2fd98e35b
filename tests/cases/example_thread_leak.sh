#!/bin/bash
# examples/thread_leak.c: threads blocked forever, each holding a 64 KiB buffer. In exact
# mode the exit profile's top function is connection_main with every buffer (requests x
# 65536 bytes, requests objects), and traces leads from the buffers to the thread's entry
# function: the frame below connection_main is start_thread.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib
program=$BUILD/examples/thread_leak
[ -x "$program" ] || fail "$program not built (run make examples)"
requests=100
timeout 60 env LIBLEAK_RATE=1 LIBLEAK_OUT='tl.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$program" -n $requests -r 1000 >out 2>err
rc=$?
cat out err
assert_eq 0 "$rc" "exit status of thread_leak"
profiles=(tl.*.pb.gz)
[ -e "${profiles[-1]}" ] || fail "no exit profile: $(ls)"
top=$("$LEAKPROF" top -n 1 "${profiles[-1]}") || fail "leakprof top exited $?"
row=$(awk '/flat%/ { getline; print; exit }' <<<"$top")
echo "top row: $row"
assert_eq connection_main "$(awk '{ print $6 }' <<<"$row")" "function on top"
# flat TYPE: connection_main's flat value, unscaled, from the folded stacks.
flat() {
  "$LEAKPROF" folded -i "$1" "${profiles[-1]}" |
    awk '{ n = split($1, f, ";"); if (f[n] == "connection_main") s += $NF } END { print s + 0 }'
}
assert_eq $((requests * 65536)) "$(flat inuse_space)" "connection_main inuse_space"
assert_eq $requests "$(flat inuse_objects)" "connection_main inuse_objects"
# traces: the stack holding the buffers, leaf first: connection_main, then start_thread.
stack=$("$LEAKPROF" traces --focus connection_main "${profiles[-1]}" |
  awk '/^-----/ { in_stack = 1; next } !in_stack || /^ *[a-z_]+: / { next }
       { sub(/^ *[0-9.]+[kMG]?B +/, ""); sub(/^ +/, ""); print }' | head -n 2 | paste -sd' ')
assert_eq "connection_main start_thread" "$stack" "the buffers' stack leads to the thread entry"
