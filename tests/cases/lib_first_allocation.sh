#!/bin/bash
# A thread's first allocation is sampled like any other (it used to only start the countdown):
# at the default rate, the main thread's first malloc of 256 MiB, kept to exit, is in the exit
# profile at its size, and 100 threads that each allocate one 4 MiB block as their first show
# 100 blocks' worth (within 5 %: a 4 MiB block is sampled with probability 1 - e^-8). And a
# failed malloc of 2^63 + 2^62 bytes must not overflow the countdown out of reach: the
# 1000 MiB kept after it are estimated within 8 % (6 standard errors).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog first_alloc

# inuse MODE: runs first_alloc MODE at the default rate; prints "truth estimate".
inuse() {
  mkdir "$1"
  (cd "$1" && timeout 60 env -u LIBLEAK_RATE LIBLEAK_OUT="$PWD/%n.pb.gz" LD_PRELOAD="$LIBLEAK_SO" \
     "$TESTBIN/first_alloc" "$1" >out.txt 2>err.txt) || fail "first_alloc $1: $(cat "$1/err.txt")"
  local profile
  profile=$(ls "$1"/*.pb.gz 2>/dev/null | head -n 1)
  [ -n "$profile" ] || fail "first_alloc $1 wrote no exit profile"
  "$LEAKPROF" info "$profile" >"$1/info.txt" || fail "leakprof info $profile"
  echo "$(cat "$1/out.txt") $(sed -n 's/^Total inuse_space .*(\([0-9]*\))$/\1/p' "$1/info.txt")"
}

read -r truth estimate < <(inuse main)
echo "main: kept $truth, profile in use $estimate"
# The 256 MiB block counts at its size. Other blocks still live at exit (stdio's buffer, say)
# are sampled with probability ~size/512 KiB and then count ~512 KiB each: allow one such.
[ "$estimate" -ge "$truth" ] && [ "$estimate" -lt $((truth + 2 * 524288)) ] ||
  fail "the main thread's first allocation (256 MiB), in use at exit: expected $truth (+ under 1 MiB of other sampled blocks), got $estimate"

read -r truth estimate < <(inuse threads)
echo "threads: kept $truth, profile in use $estimate"
assert_within "$truth" "$estimate" 5 "100 threads' first allocations (4 MiB each), in use at exit"

read -r truth estimate < <(inuse huge)
echo "huge: kept $truth, profile in use $estimate"
assert_within "$truth" "$estimate" 8 "1000 MiB kept after a failed malloc of 2^63 + 2^62 bytes"
