#!/bin/bash
# examples/bloat.c: the same 100 000 records in a hash table of 32-byte nodes and in a flat
# array. Exact mode; each sample type shows its side of the cost (numbers in the example's
# header comment): inuse_space 3.2 MB of nodes + 1 MiB of buckets against 2 MiB of array,
# inuse_objects 100000 against 1, alloc_space: the array allocated twice what it holds.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib
program=$BUILD/examples/bloat
[ -x "$program" ] || fail "$program not built (run make examples)"
timeout 60 env LIBLEAK_RATE=1 LIBLEAK_OUT=bloat.pb.gz LD_PRELOAD="$LIBLEAK_SO" "$program" >out 2>err
rc=$?
cat out err
assert_eq 0 "$rc" "exit status of bloat"
# value TYPE FUNCTION: the flat value of FUNCTION, unscaled (count units print bare numbers).
value() {
  "$LEAKPROF" folded -i "$1" bloat.pb.gz | awk -v f="$2" '{ n = split($1, fr, ";"); if (fr[n] == f) s += $NF } END { print s + 0 }'
}
records=100000
assert_eq $((records * 32)) "$(value inuse_space hash_table_insert)" "nodes: inuse_space"
assert_eq $((131072 * 8)) "$(value inuse_space hash_table_create)" "buckets: inuse_space"
assert_eq $((131072 * 16)) "$(value inuse_space flat_array_append)" "array: inuse_space"
assert_eq $records "$(value inuse_objects hash_table_insert)" "nodes: inuse_objects"
assert_eq 1 "$(value inuse_objects flat_array_append)" "array: inuse_objects"
# 16 + 32 + ... + 131072 slots of 16 bytes: every size the array had.
assert_eq $(((2 * 131072 - 16) * 16)) "$(value alloc_space flat_array_append)" "array: alloc_space"
assert_eq $((records * 32)) "$(value alloc_space hash_table_insert)" "nodes: alloc_space"
# What a reader sees first: top by inuse_objects names the node table.
row=$("$LEAKPROF" top -i inuse_objects bloat.pb.gz | awk '/flat%/ { getline; print $6; exit }')
assert_eq hash_table_insert "$row" "top by inuse_objects"
