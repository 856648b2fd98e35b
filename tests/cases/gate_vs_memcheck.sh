#!/bin/bash
# The leak gate agrees with memcheck on the leak corpus (tests/leaks/, built to
# build/tests/leaks/). For every program:
#   1. memcheck (`valgrind --leak-check=full`) must give the numbers written in the program's
#      `//@` lines: that checks the corpus itself (and our reading of memcheck), gate or not;
#   2. the gate (LIBLEAK_CHECK=1 LD_PRELOAD=libleak.so) must give memcheck's bytes and blocks
#      in the three classes the issue names, definitely, indirectly and possibly lost, and the
#      same verdict (exit status); and the same loss records (blocks grouped by allocation
#      stack: "N bytes in M blocks are definitely lost", compared as sorted lists; memcheck
#      shows the indirectly lost ones with --show-leak-kinds, and writes a definitely lost
#      record as "320 (32 direct, 288 indirect) bytes", of which the direct part is compared).
# "still reachable" and "suppressed" are not compared: memcheck runs glibc's and libstdc++'s
# freeres hooks at exit (freeing buffers the gate sees as reachable) and has its own
# suppression list; neither says anything about the program's leaks.
#
# memcheck's verdict is computed from its summary, not taken from --error-exitcode: with
# --errors-for-leak-kinds=definite,indirect --error-exitcode=23 memcheck exits 23 even when the
# program itself failed (exit3 leaks and exits 3: valgrind returns 23), where the gate keeps a
# failing program's own status. So: the program's own status when it is not 0, else 23 when
# definitely + indirectly lost (+ possibly lost under LIBLEAK_CHECK_POSSIBLE=1) is not zero,
# else 0 — the rule the gate implements with the default LIBLEAK_CHECK_MAX=0.
#
# memcheck follows a fork without being asked (--trace-children is about exec) and checks the
# child at its own exit, into its own log (--log-file=...%p). fork_child prints the child's
# pid and the status the child exited with; under the gate both processes report on the same
# stderr, the child's summary first (the parent waits for the child before it exits).

#
# Without the gate in libleak.so (no LEAK SUMMARY from a leaking program), part 1 still runs
# and the test then skips. 23 programs under memcheck, two at a time: 15-35 s on 2 cores.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"   # summary_numbers, loss_records, verdict
require_lib
command -v valgrind >/dev/null || skip "valgrind is not installed (tools/deps.sh test)"
corpus_src=$LIBLEAK_ROOT/tests/leaks
corpus_bin=$BUILD/tests/leaks
supp=$corpus_src/memcheck.supp
programs=()
for src in "$corpus_src"/*.c "$corpus_src"/*.cc; do
    name=$(basename "${src%.*}")
    [ -x "$corpus_bin/$name" ] || fail "$corpus_bin/$name not built (make test-programs)"
    programs+=("$name")
done
[ ${#programs[@]} -ge 20 ] || fail "the corpus has ${#programs[@]} programs, fewer than 20"

# run_one NAME: runs NAME under memcheck in NAME/mc (its logs mc.PID, out, err, status) and,
# when the library has the gate, under the gate in NAME/gate (out, err, status).
run_one() {
    local name=$1 dir=$TEST_TMP/$1 envs=()
    mkdir -p "$dir/mc" "$dir/gate"
    while read -r assignment; do envs+=("$assignment"); done < <(sed -n 's|^//@ env: *||p' "$(ls "$corpus_src/$name".c* | head -n 1)")
    (cd "$dir/mc" && timeout 120 env "${envs[@]}" valgrind --leak-check=full --suppressions="$supp" \
        --show-leak-kinds=definite,indirect,possible \
        --log-file=mc.%p "$corpus_bin/$name" >out 2>err)
    echo "$?" >"$dir/mc/status"
    if [ "$gate_ready" = 1 ]; then
        (cd "$dir/gate" && timeout 60 env "${envs[@]}" LIBLEAK_CHECK=1 LD_PRELOAD="$LIBLEAK_SO" \
            "$corpus_bin/$name" >out 2>err)
        echo "$?" >"$dir/gate/status"
    fi
}

# The gate is there when a leaking program gets a LEAK SUMMARY.
gate_ready=0
(LIBLEAK_CHECK=1 LD_PRELOAD="$LIBLEAK_SO" timeout 60 "$corpus_bin/direct" 2>probe.err >/dev/null)
grep -q 'LEAK SUMMARY' probe.err && gate_ready=1

# Two at a time: the machine has two cores, valgrind runs one thread at a time.
running=0
for name in "${programs[@]}"; do
    run_one "$name" &
    running=$((running + 1))
    if [ $running -ge 2 ]; then wait -n; running=$((running - 1)); fi
done
wait

failures=0
check() {  # check WHAT EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then echo "ok: $1: $3"; else echo "MISMATCH: $1: expected '$2', got '$3'"; failures=$((failures + 1)); fi
}
for name in "${programs[@]}"; do
    src=$(ls "$corpus_src/$name".c* | head -n 1)
    dir=$TEST_TMP/$name
    possible=0
    grep -q '^//@ env:.*LIBLEAK_CHECK_POSSIBLE=1' "$src" && possible=1
    status=$(cat "$dir/mc/status")
    child_pid=$(sed -n 's/^child_pid //p' "$dir/mc/out")
    for role in main child; do
        expected=$(sed -n "s|^//@ $role: *||p" "$src")
        [ -n "$expected" ] || continue
        # The expectation line: definitely=B/N indirectly=B/N possibly=B/N status=S.
        want=$(echo "$expected" | sed -E 's/definitely=([0-9]+)\/([0-9]+) indirectly=([0-9]+)\/([0-9]+) possibly=([0-9]+)\/([0-9]+) status=([0-9]+)/\1 \2 \3 \4 \5 \6 \7/')
        if [ $role = child ]; then
            [ -n "$child_pid" ] || fail "$name: printed no child_pid under memcheck: $(cat "$dir/mc/out")"
            file=$dir/mc/mc.$child_pid
            own_status=0 # the child exits 0 itself; fork_child checks what the gate made of it
        else
            file=$(ls "$dir"/mc/mc.* | grep -v "mc\.${child_pid:-none}\$" | head -n 1)
            own_status=$status
        fi
        [ -f "$file" ] || fail "$name: no memcheck log for the $role: $(ls "$dir/mc")"
        set -- $(summary_numbers "$file" '==[0-9]+== ')
        [ "$1" != none ] || fail "$name ($role): no LEAK SUMMARY in memcheck's log: $(tail -n 5 "$file")"
        mc="$1 $2 $3 $4 $5 $6 $(verdict "$own_status" "$1" "$3" "$5" "$possible")"
        check "$name ($role) memcheck vs the corpus' expectation" "$want" "$mc"
        [ "$gate_ready" = 1 ] || continue
        gate_file=$dir/gate/err
        if [ $role = child ]; then
            [ "$(grep -c 'LEAK SUMMARY' "$gate_file")" = 2 ] || fail "$name: expected two LEAK SUMMARY (child, parent) from the gate: $(cat "$gate_file")"
            numbers=$(summary_numbers "$gate_file" 'libleak: ' first)
            gate_status=$(sed -n 's/^child_status //p' "$dir/gate/out")
        else
            numbers=$(summary_numbers "$gate_file" 'libleak: ')
            gate_status=$(cat "$dir/gate/status")
        fi
        # A program with nothing lost may get no report at all from the gate.
        [ "$numbers" = none ] && numbers="0 0 0 0 0 0"
        check "$name ($role) gate vs memcheck [D DB I IB P PB status]" "$mc" "$numbers $gate_status"
        [ "$numbers $gate_status" = "$mc" ] || sed 's/^/    gate stderr: /' "$gate_file" | head -n 30
        which=last
        [ $role = child ] && which=first
        check "$name ($role) gate's loss records vs memcheck's" "$(loss_records "$file" '==[0-9]+== ')" \
            "$(loss_records "$gate_file" 'libleak: ' $which)"
        # No corpus program comes near the tables' limits: a "not tracked" line is a false one.
        check "$name ($role) gate: every allocation tracked" "" "$(grep -o 'allocations were not tracked.*' "$gate_file")"
    done
done

[ $failures = 0 ] || fail "$failures mismatch(es) (memcheck logs and gate output in $TEST_TMP/NAME/)"
[ "$gate_ready" = 1 ] || skip "memcheck agrees with all ${#programs[@]} corpus programs; the gate is not in libleak.so yet (LIBLEAK_CHECK=1 gave no LEAK SUMMARY for a leaking program)"
echo "gate and memcheck agree on ${#programs[@]} programs"
