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

# The same with the default rate: the program's checks still hold.
mkdir default && cd default || exit 1
timeout 60 env LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/entry_points" >out2.txt 2>err2.txt
rc=$?
cat err2.txt >&2
assert_eq 0 "$rc" "exit status of entry_points at the default rate"
