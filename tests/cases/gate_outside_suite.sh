#!/bin/bash
# An outside C test suite under the leak gate: cJSON's, from Debian's source package, built by
# its own build system (CMake) at -g -O2 (tests/outside/prepare.sh: fetched through a private
# deb-src APT configuration, cached under build/outside/).
#
# Every test of the suite (ctest's list: its unit tests and cJSON_test) runs bare, under the
# gate (LIBLEAK_CHECK=1 LD_PRELOAD=libleak.so) and under memcheck (valgrind --leak-check=full),
# in the working directory ctest gives it. For each: the gate's status is memcheck's verdict
# (the program's own status when not 0, else 23 when anything is definitely or indirectly lost,
# else 0), definitely and indirectly lost agree in bytes and blocks, the program's status under
# memcheck is its bare one, and its stdout under the gate is its bare stdout, byte for byte.
#
# Then the same suite on a leaking cJSON (prepare.sh's copy of the source whose cJSON_Delete no
# longer deletes an item's children, built the same way): the same assertions, except that
# definitely and indirectly lost are compared as their sum (bytes and blocks). Which block of
# a lost cycle is called definitely lost depends on the heap's addresses: memcheck's second
# pass (and the gate's, which is the same) lets each unreached block, in address order, lead a
# clique, and a cycle's leader that no other clique reaches directly stays definitely lost.
# glibc reuses freed chunks, memcheck's allocator does not, so the addresses' order differs and
# with it the split, not the sum (docs/GATE.md). At least 5 programs must leak.
#
# Then one injected leak with its stack (tests/outside/cjson_lost_tree.c, built against the
# clean cJSON): a parsed document's root dropped. The gate fails it (23) with its stdout
# unchanged; memcheck gives the same bytes and blocks, and the same loss records; the
# definitely lost record's stack is memcheck's, frame for frame (function, file:line, inlined
# frames too), from cJSON_New_Item's allocation in cJSON.c to the injected line in main.
#
# Skips, naming the reason, where cJSON's source cannot be had (no network, no APT). The first
# run downloads and builds both trees (`make test` prepares them before its tests run, outside
# the per-test time limit); later runs take the cache: 44 programs and the injected one, memcheck
# two at a time.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib
command -v valgrind >/dev/null || skip "valgrind is not installed (tools/deps.sh test)"

start=$(date +%s)
out=$("$LIBLEAK_ROOT/tests/outside/prepare.sh" cjson 2>prepare.err)
rc=$?
cat prepare.err >&2
case $rc in
0) ;;
77) skip "cJSON's Debian source cannot be had here: $(tail -n 1 prepare.err)" ;;
*) fail "preparing cJSON's suite (tests/outside/prepare.sh cjson, exit $rc): $(tail -n 3 prepare.err)" ;;
esac
echo "cJSON $(cat "$out/version"), built in $out (ready after $(( $(date +%s) - start )) s)"

names=()
while IFS=$'\t' read -r name _; do names+=("$name"); done <"$out/tests.tsv"
[ ${#names[@]} -ge 20 ] || fail "cJSON's suite lists ${#names[@]} tests, fewer than 20: $(cat "$out/tests.tsv")"

# run_one DIR WORKDIR CMD...: runs CMD bare, under the gate and under memcheck in WORKDIR;
# DIR/KIND.out, .err, .status (memcheck's report in DIR/mc.log).
run_one() {
    local dir=$1 wd=$2; shift 2
    mkdir -p "$dir"
    (cd "$wd" && timeout 60 "$@" >"$dir/bare.out" 2>"$dir/bare.err" </dev/null); echo $? >"$dir/bare.status"
    (cd "$wd" && timeout 60 env LIBLEAK_CHECK=1 LIBLEAK_CHECK_VERBOSE=1 LD_PRELOAD="$LIBLEAK_SO" "$@" \
        >"$dir/gate.out" 2>"$dir/gate.err" </dev/null); echo $? >"$dir/gate.status"
    (cd "$wd" && timeout 300 valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --log-file="$dir/mc.log" "$@" >"$dir/mc.out" 2>"$dir/mc.err" </dev/null); echo $? >"$dir/mc.status"
}

# The injected leak, built beside the suite against its library and headers.
inject_src=$LIBLEAK_ROOT/tests/outside/cjson_lost_tree.c
[ -f "$out-leaky/tests.tsv" ] || fail "$out-leaky/tests.tsv missing (prepare.sh)"
cc -g -O2 -I"$out/source" -o cjson_lost_tree "$inject_src" -L"$out" -lcjson -Wl,-rpath,"$out" 2>cc.err ||
    fail "cannot build $inject_src against cJSON: $(cat cc.err)"

running=0
while IFS=$'\t' read -r -a test; do
    run_one "$TEST_TMP/suite/${test[0]}" "${test[1]}" "${test[@]:2}" &
    running=$((running + 1))
    if [ $running -ge 2 ]; then wait -n; running=$((running - 1)); fi
done <"$out/tests.tsv"
while IFS=$'\t' read -r -a test; do
    run_one "$TEST_TMP/leaky/${test[0]}" "${test[1]}" "${test[@]:2}" &
    running=$((running + 1))
    if [ $running -ge 2 ]; then wait -n; running=$((running - 1)); fi
done <"$out-leaky/tests.tsv"
run_one "$TEST_TMP/inject" "$TEST_TMP" "$TEST_TMP/cjson_lost_tree" &
wait

failures=0
check() {  # check WHAT EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then echo "ok: $1: $3"; else echo "MISMATCH: $1: expected '$2', got '$3'"; failures=$((failures + 1)); fi
}
# compare NAME DIR [sum]: the assertions every program gets; sets mc_numbers and gate_status.
# With "sum", definitely and indirectly lost are compared as their sum (bytes, blocks).
compare() {
    local name=$1 dir=$2 mode=${3:-exact} bare mc_status gate_numbers
    bare=$(cat "$dir/bare.status") mc_status=$(cat "$dir/mc.status") gate_status=$(cat "$dir/gate.status")
    mc_numbers=$(summary_numbers "$dir/mc.log" '==[0-9]+== ')
    gate_numbers=$(summary_numbers "$dir/gate.err" 'libleak: ')
    [ "$mc_numbers" != none ] || fail "$name: no LEAK SUMMARY in memcheck's log: $(tail -n 5 "$dir/mc.log")"
    [ "$gate_numbers" != none ] || fail "$name: no LEAK SUMMARY from the gate (was it preloaded?): $(tail -n 5 "$dir/gate.err")"
    set -- $mc_numbers
    check "$name: status under memcheck = bare status" "$bare" "$mc_status"
    if [ "$mode" = sum ]; then
        local g=($gate_numbers)
        check "$name: gate status = memcheck's verdict [D+I bytes, blocks -> status]" \
            "$(($1 + $3)) $(($2 + $4)) -> $(verdict "$mc_status" "$1" "$3" "$5" 0)" "$((g[0] + g[2])) $((g[1] + g[3])) -> $gate_status"
        [ "${g[*]:0:4}" = "$1 $2 $3 $4" ] ||
            echo "note: $name: definitely/indirectly lost split: gate ${g[*]:0:4}, memcheck $1 $2 $3 $4 (the order of the heap's addresses)"
    else
        check "$name: gate status = memcheck's verdict [D DB I IB -> status]" \
            "$1 $2 $3 $4 -> $(verdict "$mc_status" "$1" "$3" "$5" 0)" "$(echo "$gate_numbers" | cut -d' ' -f1-4) -> $gate_status"
    fi
    [ "$(echo "$gate_numbers" | cut -d' ' -f5-6)" = "$5 $6" ] ||
        echo "note: $name: possibly lost: gate $(echo "$gate_numbers" | cut -d' ' -f5-6), memcheck $5 $6 (not part of the verdict)"
    if cmp -s "$dir/bare.out" "$dir/gate.out"; then
        echo "ok: $name: the same stdout under the gate ($(wc -c <"$dir/bare.out") bytes)"
    else
        echo "MISMATCH: $name: stdout under the gate differs from bare:"; diff "$dir/bare.out" "$dir/gate.out" | head -n 10
        failures=$((failures + 1))
    fi
}

clean=0 leaking=0
for name in "${names[@]}"; do
    compare "$name" "$TEST_TMP/suite/$name"
    if [ "$(echo "$mc_numbers" | cut -d' ' -f1,3)" = "0 0" ]; then clean=$((clean + 1)); else leaking=$((leaking + 1)); fi
done

leaky_leaking=0 split=0
for name in $(cut -f1 "$out-leaky/tests.tsv"); do
    compare "$name (leaky cJSON)" "$TEST_TMP/leaky/$name" sum
    [ "$(echo "$mc_numbers" | cut -d' ' -f1,3)" = "0 0" ] || leaky_leaking=$((leaky_leaking + 1))
    [ "$(summary_numbers "$TEST_TMP/leaky/$name/gate.err" 'libleak: ' | cut -d' ' -f1-4)" = "$(echo "$mc_numbers" | cut -d' ' -f1-4)" ] || split=$((split + 1))
done
[ $leaky_leaking -ge 5 ] || fail "the leaky cJSON makes $leaky_leaking programs of its suite leak under memcheck, fewer than 5: is the patch effective? $(cat "$out-leaky/leak.diff")"

# The injected leak: definitely lost, the root item; indirectly lost, the 8 blocks it holds.
dir=$TEST_TMP/inject
compare cjson_lost_tree "$dir"
check "cjson_lost_tree: the gate fails it" 23 "$gate_status"
check "cjson_lost_tree: blocks definitely, indirectly lost (memcheck)" "1 8" "$(echo "$mc_numbers" | cut -d' ' -f2,4)"
check "cjson_lost_tree: bare status" 0 "$(cat "$dir/bare.status")"
check "cjson_lost_tree: loss records, gate vs memcheck" "$(loss_records "$dir/mc.log" '==[0-9]+== ')" \
    "$(loss_records "$dir/gate.err" 'libleak: ')"

# definite_stack FILE PREFIX FRAME_REGEXP: the frames of the definitely lost record, one
# "FUNCTION FILE:LINE" a line (the file's base name), allocator frames left out.
definite_stack() {
    awk -v prefix="$2" '
        { sub("^" prefix, "") }
        / are definitely lost in loss record / { on = 1; next }
        on && /^ *$/ { exit }
        on {
            line = $0
            if (line ~ /^ *at 0x/) next                       # memcheck: the allocator itself
            if (sub(/^ *by 0x[0-9A-Fa-f]+: /, "", line)) {   # memcheck: "FUNC (FILE:LINE)"
                sub(/ \(/, " ", line); sub(/\)$/, "", line)
            } else if (sub(/^ *#[0-9]+ 0x[0-9a-f]+ in /, "", line)) {
                n = split(line, w, " "); f = w[n]; sub(/.*\//, "", f); line = w[1] " " f
            } else next
            print line
        }' "$1"
}
gate_stack=$(definite_stack "$dir/gate.err" 'libleak: ')
mc_stack=$(definite_stack "$dir/mc.log" '==[0-9]+== ')
check "cjson_lost_tree: the definitely lost record's stack, gate vs memcheck" "$(echo $mc_stack)" "$(echo $gate_stack)"
lost_line=$(grep -n 'LOST HERE' "$inject_src" | cut -d: -f1)
check "cjson_lost_tree: the gate names the injected call" "main cjson_lost_tree.c:$lost_line" "$(echo "$gate_stack" | tail -n 1)"
alloc=$(echo "$gate_stack" | head -n 1)
check "cjson_lost_tree: the allocating frame" "cJSON_New_Item cJSON.c" "${alloc%:*}"
alloc_line=${alloc##*:}
case $(sed -n "${alloc_line}p" "$out/source/cJSON.c") in
*allocate*) echo "ok: cJSON.c:$alloc_line is the allocation: $(sed -n "${alloc_line}p" "$out/source/cJSON.c" | sed 's/^ *//')" ;;
*) echo "MISMATCH: cJSON.c:$alloc_line is no allocation: $(sed -n "${alloc_line}p" "$out/source/cJSON.c")"; failures=$((failures + 1)) ;;
esac

[ $failures = 0 ] || fail "$failures mismatch(es) (outputs, memcheck logs and the gate's reports in $TEST_TMP/suite/NAME/ and $TEST_TMP/inject/)"
echo "gate and memcheck agree on all ${#names[@]} programs of cJSON $(cat "$out/version")'s suite ($clean clean, $leaking leaking), on the $(wc -l <"$out-leaky/tests.tsv") programs on the leaky cJSON ($leaky_leaking leaking; definitely/indirectly split different in $split) and on the injected leak ($(( $(date +%s) - start )) s)"
