#!/bin/bash
# drop_frames/keep_frames are honoured as pprof's Prune does (edge/drop_frames.pb, made by
# tools/leakprof/fixtures/make_edge_profiles.c): a whole wrapper location goes with the
# frames beneath it, an inlined wrapper line goes and its location stays, keep_frames spares
# a match, and a stack made only of wrappers is left whole. top and traces equal pprof's,
# and the leaves are pinned by hand so that a mistake shared with pprof would still show.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
cd_fixtures
f=edge/drop_frames.pb
traces=$("$LEAKPROF" traces "$f") || fail "leakprof traces exited $?"
# Each sample's leaf after pruning, in order.
leaves=$(awk '/^-----/ { if (getline <= 0) exit; if ($0 ~ /bytes:/) getline; print $2 }' <<<"$traces" | paste -sd' ')
assert_eq "Cache::insert(int) parse_config wrap_keep malloc" "$leaves" "leaves after pruning"
assert_contains "$("$LEAKPROF" top --nodefraction=0 "$f")" \
  "     4096B 59.26% 59.26%      4096B 59.26%  Cache::insert(int)" "Cache::insert is the flat frame"
if have_go; then
  types=$(sample_type_count "$f")
  for ((i = 0; i < types; i++)); do
    same_as_pprof "top index $i" -top -nodefraction=0 -sample_index=$i "$f" -- top --nodefraction=0 --sample-index=$i "$f"
    same_as_pprof "traces index $i" -traces -sample_index=$i "$f" -- traces --sample-index=$i "$f"
  done
else
  echo "go tool pprof not installed: compared by hand only"
fi
