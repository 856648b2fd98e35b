#!/bin/bash
# LIBLEAK_PEAK catches what a poll misses (issue 16): the peak is followed on the sampling path.
# - a spike: 256 x 1 MiB from one site, held 5 ms, then freed. The peak profile holds all of it
#   in exact mode, and at least 85 % at the default rate (each 1 MiB block is sampled with
#   probability 1 - exp(-2); runs repeated to show it is not luck). A poll every 50 ms saw none
#   of it in exact mode.
# - a steady climb to 200 MiB, freed as soon as it ends: exactly 200 MiB in exact mode (the
#   poll's 1 % margin left it at 196.97 MB).
# - a fork child's peak is its own: 64 MiB after its parent's 256 MiB.
# - the spike made by four threads at once, which race at its edges: in exact mode at most one
#   block per thread off (the bound alloc/peak_counters.c documents).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog peak_spike; require_go

# run NAME RATE ARGS...: runs peak_spike under LIBLEAK_PEAK=1 in directory NAME; sets truth and
# peak (inuse_space of spike_block in the peak profile, from go tool pprof -raw).
run() {
  local name=$1 rate=$2; shift 2
  mkdir "$name" && cd "$name" || exit 1
  local envs=(LIBLEAK_PEAK=1 LIBLEAK_OUT='%n.pb.gz' LIBLEAK_AT_EXIT=0)
  [ "$rate" = default ] || envs+=(LIBLEAK_RATE=$rate)
  timeout 60 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/peak_spike" "$@" >out.txt 2>err.txt \
    || fail "$name: peak_spike $* failed: $(cat err.txt)"
  [ -s peak.pb.gz ] || fail "$name: no peak profile: $(ls)"
  pprof_raw peak.pb.gz peak.raw
  read -r _ _ _ truth <out.txt
  set -- $(site_values peak.raw spike_block); peak=${4:-0}
  cd ..
}

run spike_exact 1 256 5 0
assert_eq "$truth" "$peak" "exact mode: inuse_space of a 256 MiB spike held 5 ms in the peak profile"
echo "ok: exact mode: spike $peak of $truth bytes"

run climb_exact 1 200 0 4
assert_eq "$truth" "$peak" "exact mode: inuse_space of a 200 MiB climb in the peak profile"
echo "ok: exact mode: climb $peak of $truth bytes"

mkdir fork && cd fork || exit 1
timeout 60 env LIBLEAK_PEAK=1 LIBLEAK_RATE=1 LIBLEAK_AT_EXIT=0 LIBLEAK_OUT='%p.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" \
  "$TESTBIN/peak_spike" 256 5 0 1 1 >out.txt 2>err.txt || fail "fork: peak_spike failed: $(cat err.txt)"
files=(*.peak.pb.gz)
[ ${#files[@]} = 2 ] || fail "fork: expected a peak profile from parent and child: $(ls)"
found=
for f in "${files[@]}"; do
  pprof_raw "$f" "$f.raw"
  set -- $(site_values "$f.raw" spike_block); found="$found ${4:-0}"
done
assert_eq "$((64 << 20)) $((256 << 20))" "$(echo $found | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')" \
  "fork: spike_block in the peaks of child and parent"
echo "ok: fork: the child's peak holds its own 64 MiB, the parent's 256 MiB"
cd ..

run spike_threads 1 256 5 0 4
[ "$peak" -ge $((truth - 4 * 1048576)) ] && [ "$peak" -le "$truth" ] \
  || fail "exact mode, 4 threads: the peak profile holds $peak of $truth bytes (at most 4 blocks off)"
echo "ok: exact mode, 4 threads: spike $peak of $truth bytes"

for i in 1 2 3 4 5; do
  run spike_default$i default 256 5 0
  percent=$((peak * 100 / truth))
  [ $percent -ge 85 ] || fail "default rate, run $i: the peak profile holds $percent % of the spike ($peak of $truth)"
  [ $percent -le 125 ] || fail "default rate, run $i: the peak profile holds $percent % of the spike ($peak of $truth)"
  echo "ok: default rate, run $i: spike $percent % ($peak of $truth bytes)"
done
