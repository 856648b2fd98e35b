#!/bin/bash
# The gate's leaks are also a pprof profile (LIBLEAK_OUT with %n = "leaks"): one sample per
# loss record, in-use values = lost blocks and bytes; its comments carry the class totals.
# leakprof and go tool pprof read it; the totals equal the report's. A run with the gate and
# nothing lost writes no profile at all (and, by default in gate mode, no exit profile).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog gate_leaks; require_go

gate_run list LIBLEAK_OUT='gate.%p.%n.pb.gz' -- "$TESTBIN/gate_leaks" list
assert_eq 23 "$gate_rc" "list: exit status"
files=(gate.*.leaks.pb.gz)
[ -s "${files[0]}" ] || fail "no .leaks profile: $(ls)"
assert_eq 1 "${#files[@]}" "profiles written (the .leaks one only): $(ls gate.*)"
f=${files[0]}

pprof_raw "$f" raw.txt
set -- $(site_values raw.txt "")
assert_eq "11 352 11 352" "$*" "the profile's values (alloc objects/bytes, inuse objects/bytes)"
set -- $(site_values raw.txt make_node)
assert_eq "11 352" "$3 $4" "make_node's in-use objects and bytes"
total=$(gopprof -top -unit=B -sample_index=inuse_space -symbolize=none "$f" 2>/dev/null \
        | sed -n 's/^Showing nodes accounting for .* of \([0-9]*\)B total.*/\1/p')
assert_eq 352 "$total" "go tool pprof -top: inuse_space total"
gopprof -top -symbolize=none "$f" >top.txt 2>&1 || fail "go tool pprof -top: $(cat top.txt)"
grep -q make_node top.txt || fail "go tool pprof -top does not name make_node"
grep -q 'Comment: leak gate: definitely lost: 32 bytes in 1 blocks' raw.txt || fail "no definitely lost comment: $(grep Comment raw.txt)"
grep -q 'Comment: leak gate: indirectly lost: 320 bytes in 10 blocks' raw.txt || fail "no indirectly lost comment"

"$LEAKPROF" top "$f" >leakprof.txt 2>&1 || fail "leakprof top: $(cat leakprof.txt)"
grep -q make_node leakprof.txt || fail "leakprof top does not name make_node: $(cat leakprof.txt)"
grep -q 'leak gate: definitely lost: 32 bytes in 1 blocks' leakprof.txt || fail "leakprof top does not show the comments"

mkdir quiet && cd quiet || exit 1
gate_run global LIBLEAK_OUT='gate.%p.%n.pb.gz' -- "$TESTBIN/gate_leaks" global
assert_eq 0 "$gate_rc" "global: exit status"
compgen -G 'gate.*' >/dev/null && fail "a profile was written with nothing lost: $(ls)"
echo "ok: the .leaks profile"
