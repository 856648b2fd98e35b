#!/bin/bash
# The frame-pointer walk with hostile %rbp values (issue 10 item 4): malloc called from code
# that keeps -16, -8, 0, 1, a non-stack address, a fake in-stack frame record or the very top
# of the stack in %rbp. No crash and no hang, with LIBLEAK_UNWIND=fp, with the default unwinder
# and with libunwind, in exact mode and at the default rate. Then GNU as (built without frame
# pointers; it crashed 3 of 3 times in exact fp mode) assembles a small file under the library
# exactly as without it.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hostile_rbp

for unwinder in fp default libunwind; do
  for rate in 1 default; do
    envs=(LIBLEAK_AT_EXIT=0)
    [ $unwinder = default ] || envs+=(LIBLEAK_UNWIND=$unwinder)
    [ $rate = default ] || envs+=(LIBLEAK_RATE=$rate)
    out=$(timeout 60 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hostile_rbp" 2>err.txt)
    rc=$?
    [ $rc = 124 ] && fail "hostile_rbp ($unwinder, rate $rate) hung"
    assert_eq "0 ok 10 values" "$rc $out" "hostile_rbp ($unwinder, rate $rate): exit status and output (stderr: $(head -c 300 err.txt))"
  done
done
echo "ok: hostile %rbp values with fp, default and libunwind, exact and default rate"

command -v as >/dev/null || skip "GNU as (binutils) not installed"
{
  for i in $(seq 300); do
    printf 'f%d:\n  push %%rbp\n  mov %%rsp, %%rbp\n  lea f%d(%%rip), %%rax\n  pop %%rbp\n  ret\n' $i $i
  done
  printf '.data\nmsg: .ascii "hello"\n'
} >small.s
as -o bare.o small.s || fail "as without the library failed"
for unwinder in fp default; do
  envs=(LIBLEAK_RATE=1 LIBLEAK_AT_EXIT=0)
  [ $unwinder = default ] || envs+=(LIBLEAK_UNWIND=$unwinder)
  for run in 1 2 3; do
    timeout 60 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" as -o under.o small.s 2>err.txt
    rc=$?
    assert_eq 0 "$rc" "as under the library ($unwinder, exact, run $run): exit status (stderr: $(head -c 300 err.txt))"
    cmp -s bare.o under.o || fail "as under the library ($unwinder, run $run) wrote a different object"
  done
done
echo "ok: GNU as in exact mode, fp and default unwinder, 3 runs each"
