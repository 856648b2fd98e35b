#!/bin/bash
# An inherited SIG_IGN for the snapshot signal is respected (issue 19, item 8): no handler is
# installed (the signal stays ignored in the process and in every program it execs, with or
# without the library), and one line says so. The handler had replaced SIG_IGN; execve resets
# a handled signal to its default, so a program exec'd without the library died of SIGUSR2.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog snapshot_target

# Through an exec without the library: `kill -USR2 $$` must find the signal still ignored.
inner='exec env -u LD_PRELOAD sh -c "kill -USR2 \$\$; echo alive"'
bare=$( (trap '' USR2; exec timeout 20 sh -c "$inner") 2>&1 )
assert_eq alive "$bare" "bare: the exec'd shell survives its own SIGUSR2"
( trap '' USR2; exec timeout 20 env LD_PRELOAD="$LIBLEAK_SO" sh -c "$inner" ) >lib.out 2>lib.err
assert_eq alive "$(cat lib.out)" "under the library: the exec'd shell survives its own SIGUSR2 (stderr: $(cat lib.err))"
# Two programs ran under the library (sh, then env -u): one line from each.
assert_eq 2 "$(wc -l <lib.err)" "under the library: lines on stderr ($(cat lib.err))"
assert_eq 2 "$(grep -c 'USR2 is ignored' lib.err)" "under the library: the lines ($(cat lib.err))"
echo "ok: an exec'd program keeps SIG_IGN; one line from each program: $(head -n 1 lib.err)"

# In the process itself: still ignored (SigIgn), not caught (SigCgt); a SIGUSR2 writes nothing.
rm -f target.out go
( trap '' USR2; exec env LIBLEAK_OUT='snap.%n.pb.gz' LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO" \
    "$TESTBIN/snapshot_target" >target.out 2>target.err ) &
pid=$!
wait_for_line target.out ready 30 || { kill -9 $pid; fail "snapshot_target never became ready: $(cat target.err)"; }
bit=$(( 1 << (12 - 1) ))   # SIGUSR2 is 12
ignored=$(awk '/^SigIgn:/ { print $2 }' /proc/$pid/status); caught=$(awk '/^SigCgt:/ { print $2 }' /proc/$pid/status)
assert_eq 1 $(( (0x$ignored & bit) != 0 )) "SigIgn $ignored has USR2"
assert_eq 0 $(( (0x$caught & bit) != 0 )) "SigCgt $caught has no USR2"
kill -USR2 $pid
sleep 0.5   # not a timing assertion: a snapshot wrongly written would show; none is the right answer
touch go
finish $pid 30 "snapshot_target"
assert_eq 0 "$rc" "snapshot_target's status"
assert_eq "" "$(ls snap.*.pb.gz 2>/dev/null)" "snapshots after SIGUSR2 that was ignored"
assert_eq 1 "$(wc -l <target.err)" "snapshot_target: lines on stderr ($(cat target.err))"
echo "ok: SIGUSR2 stays ignored in the process (SigIgn $ignored, SigCgt $caught)"

# Without an inherited SIG_IGN nothing changes: the handler is installed, silently.
( exec timeout 20 env LD_PRELOAD="$LIBLEAK_SO" sh -c 'grep SigCgt /proc/$$/status' ) >plain.out 2>plain.err
assert_eq "" "$(cat plain.err)" "no SIG_IGN: stderr"
caught=$(awk '{ print $2 }' plain.out)
assert_eq 1 $(( (0x$caught & bit) != 0 )) "no SIG_IGN: SigCgt $caught has USR2"
echo "ok: without SIG_IGN the handler is installed (SigCgt $caught)"
