#!/bin/bash
# Every interposed entry point (malloc, free, calloc, realloc in all its forms, reallocarray,
# memalign, posix_memalign incl. bad alignments, aligned_alloc, valloc, pvalloc,
# malloc_usable_size, free(NULL), huge sizes that fail) behaves as glibc's under
# LIBLEAK_RATE=1, and the profile's live totals for the site equal the program's own account.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog entry_points; require_go

# Without the library first: the program's own checks describe glibc's behaviour.
timeout 30 "$TESTBIN/entry_points" >plain.txt 2>plain.err || fail "entry_points fails without the library: $(cat plain.err)"

timeout 60 env LIBLEAK_RATE=1 LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/entry_points" >out.txt 2>err.txt
rc=$?
cat err.txt >&2
assert_eq 0 "$rc" "exit status of entry_points under LIBLEAK_RATE=1 (its own checks of every entry point)"
assert_eq "$(cat plain.txt)" "$(cat out.txt)" "stdout with and without the library"
[ -s entry.pb.gz ] || fail "libleak_dump(\"entry.pb.gz\") wrote nothing"
pprof_raw entry.pb.gz entry.raw
read -r _ _ objects bytes <out.txt
set -- $(site_values entry.raw exercise)
echo "exercise: profile inuse $3 objects / $4 bytes; program's account $objects / $bytes"
assert_eq "$objects" "$3" "inuse_objects of exercise"
assert_eq "$bytes" "$4" "inuse_space of exercise"

# The same at the default rate and at a small rate (64 B: most calls sampled, with weights
# other than 1): the program's checks still hold, and once it has freed everything the exit
# profile has nothing in use at the site — each free and realloc takes back exactly what was added.
for rate in default 64; do
  mkdir "rate_$rate" && cd "rate_$rate" || exit 1
  envs=(); [ $rate = default ] || envs=(LIBLEAK_RATE=$rate)
  timeout 60 env "${envs[@]}" LIBLEAK_OUT=exit.pb.gz LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/entry_points" >out.txt 2>err.txt
  rc=$?
  cat err.txt >&2
  assert_eq 0 "$rc" "exit status of entry_points at rate $rate"
  pprof_raw exit.pb.gz exit.raw
  set -- $(site_values exit.raw exercise)
  assert_eq "0 0" "$3 $4" "rate $rate: exercise's blocks in use after the program freed them all"
  echo "ok: rate $rate: checks pass; exit profile: exercise allocated $1 objects / $2 bytes (estimated), 0 in use"
  cd ..
done
