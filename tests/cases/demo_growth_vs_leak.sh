#!/bin/bash
# Growth is not a leak. growing_cache's cache_insert holds megabytes while the program runs,
# but the profile written at exit shows nothing in use for it: the cache was freed. Its
# counterpart, leaky_server's remember_request, still holds every byte at exit: exactly
# requests x (10000 + 16) bytes in exact mode.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_go
examples=$BUILD/examples
for p in leaky_server growing_cache; do
  [ -x "$examples/$p" ] || fail "$examples/$p not built (run make examples)"
done

# --- leaky_server, exact mode: the leak is all there at exit, to the byte.
requests=2000
timeout 60 env LIBLEAK_RATE=1 LIBLEAK_OUT='leak.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" \
  "$examples/leaky_server" -n $requests -r 100000 >leak.out 2>leak.err
rc=$?
cat leak.out leak.err
assert_eq 0 "$rc" "exit status of leaky_server"
leak_profiles=(leak.*.pb.gz)
[ -e "${leak_profiles[0]}" ] || fail "leaky_server wrote no exit profile: $(ls)"
pprof_raw "${leak_profiles[-1]}" leak.raw
read -r _ _ inuse_objects inuse_space <<<"$(site_values leak.raw remember_request)"
echo "leaky_server at exit: remember_request holds $inuse_objects objects, $inuse_space bytes"
assert_eq $((requests * 2)) "$inuse_objects" "remember_request inuse_objects at exit"
assert_eq $((requests * (10000 + 16))) "$inuse_space" "remember_request inuse_space at exit"

# --- growing_cache at the default rate: large while running, zero at exit.
env LIBLEAK_OUT='cache.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" \
  "$examples/growing_cache" -t 4 >cache.out 2>cache.err &
pid=$!
wait_for_line cache.out 'looking up' 10 || { kill -9 $pid; fail "growing_cache did not start: $(cat cache.err)"; }
sleep 3     # 1000 lookups/s fill the 2048-entry cache in about 2.5 s
kill -USR2 $pid || fail "kill -USR2 $pid failed"
wait_for_file 'cache.*.pb.gz' 10 || { kill -9 $pid; fail "no snapshot within 10 s of SIGUSR2"; }
timeout 30 tail --pid=$pid -f /dev/null || { kill -9 $pid; fail "growing_cache did not finish"; }
wait $pid; rc=$?
cat cache.out cache.err
assert_eq 0 "$rc" "exit status of growing_cache"
cache_profiles=(cache.*.pb.gz)
assert_eq 2 "${#cache_profiles[@]}" "profiles of growing_cache (one snapshot, one at exit)"

pprof_raw "${cache_profiles[0]}" running.raw
read -r _ _ _ running_space <<<"$(site_values running.raw cache_insert)"
echo "growing_cache while running: cache_insert holds $running_space bytes (about 17 MB expected)"
[ "$running_space" -gt 5000000 ] || fail "cache_insert in-use while running: expected > 5 MB, got $running_space"

pprof_raw "${cache_profiles[1]}" exit.raw
read -r _ alloc_space inuse_objects inuse_space <<<"$(site_values exit.raw cache_insert)"
echo "growing_cache at exit: cache_insert allocated $alloc_space bytes, holds $inuse_objects objects, $inuse_space bytes"
[ "$alloc_space" -gt 0 ] || fail "cache_insert is missing from the exit profile (alloc_space $alloc_space)"
assert_eq 0 "$inuse_space" "cache_insert inuse_space at exit"
assert_eq 0 "$inuse_objects" "cache_insert inuse_objects at exit"
