#!/bin/bash
# A block much larger than the rate crosses many sampling points but is one sample of weight
# 1/(1 - exp(-size/rate)) = 1: at LIBLEAK_RATE=1k, exact_sites' 64 KiB blocks (keep_big) are
# counted exactly — objects and bytes, in use and allocated — and nothing is in use at exit.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog exact_sites; require_go

timeout 60 env LIBLEAK_RATE=1k LIBLEAK_OUT=exit.pb.gz LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/exact_sites" >out.txt 2>err.txt
rc=$?
cat err.txt >&2
assert_eq 0 "$rc" "exit status of exact_sites under LIBLEAK_RATE=1k"
pprof_raw x.pb.gz x.raw
pprof_raw exit.pb.gz exit.raw
grep -q '^Period: 1024$' x.raw || fail "period: $(grep '^Period' x.raw)"
grep '^dump keep_big ' out.txt | sed 's/^dump/big/' >big.txt
grep '^exit keep_big ' out.txt | sed 's/^exit/bigexit/' >>big.txt
check_expectations x.raw big.txt big
check_expectations exit.raw big.txt bigexit
