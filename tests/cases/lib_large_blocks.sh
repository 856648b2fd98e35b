#!/bin/bash
# A block much larger than the rate crosses many sampling points but is one sample of weight
# 1/(1 - exp(-size/rate)) = 1: at LIBLEAK_RATE=1k, exact_sites' 64 KiB blocks (keep_big) are
# counted exactly — objects and bytes, in use and allocated — and nothing is in use at exit.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog exact_sites; require_go

run_exact_sites rate1k LIBLEAK_RATE=1k
grep -q '^Period: 1024$' rate1k/x.raw || fail "period: $(grep '^Period' rate1k/x.raw)"
grep '^dump keep_big ' rate1k/out.txt >big.txt
grep '^exit keep_big ' rate1k/out.txt >>big.txt
check_expectations rate1k/x.raw big.txt dump
check_expectations rate1k/exit.raw big.txt exit
