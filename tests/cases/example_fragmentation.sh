#!/bin/bash
# examples/fragmentation.c: resident memory grows while the heap in use stays flat. Its
# profiles (one per phase, written by libleak_dump) carry resident memory and glibc's
# mallinfo2 as comments; leakprof growth sets them beside the in-use estimate and says the
# growth is memory the allocator holds, not live blocks; info shows the arenas' free bytes.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib
program=$BUILD/examples/fragmentation
[ -x "$program" ] || fail "$program not built (run make examples)"
timeout 60 env LIBLEAK_OUT='frag.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$program" >out 2>err
rc=$?
cat out err
assert_eq 0 "$rc" "exit status of fragmentation"
phases=(frag.000[1-8].pb.gz)
assert_eq 8 "${#phases[@]}" "one profile per phase"
growth=$("$LEAKPROF" growth "${phases[@]}") || fail "leakprof growth exited $?"
echo "$growth"
# bytes TEXT: a leakprof size ("+29.38MB", "0", "512kB") in bytes.
bytes() {
  awk -v t="$1" 'BEGIN { sub(/^\+/, "", t); m = 1
    if (t ~ /kB$/) m = 1024; else if (t ~ /MB$/) m = 1048576; else if (t ~ /GB$/) m = 1073741824
    sub(/[kMG]?B$/, "", t); printf "%.0f\n", t * m }'
}
resident=$(bytes "$(sed -n 's/^Resident change: \([^ ]*\).*/\1/p' <<<"$growth")")
estimate=$(bytes "$(sed -n 's/^Total change: \([^ ]*\).*/\1/p' <<<"$growth")")
echo "resident change $resident bytes, in-use estimate change $estimate bytes"
[ "$resident" -ge $((16 << 20)) ] || fail "resident memory grew by only $resident bytes (expected 14 new arenas x 3 MiB)"
[ "${estimate#-}" -le $((1 << 20)) ] || fail "the in-use estimate changed by $estimate bytes (expected flat)"
assert_contains "$growth" "the allocator holds" "growth tells fragmentation from a leak"
assert_contains "$growth" "    estimate    resident    malloc'd  profile" "growth's memory columns"
info=$("$LEAKPROF" info "${phases[-1]}")
free=$(bytes "$(sed -n "s/^Malloc'd: .* in use (glibc), \(.*\) free in its arenas/\1/p" <<<"$info")")
[ "$free" -ge $((16 << 20)) ] || fail "glibc's arenas hold only $free free bytes: $info"
