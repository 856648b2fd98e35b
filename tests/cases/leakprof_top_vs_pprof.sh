#!/bin/bash
# leakprof top agrees with go tool pprof -top, byte for byte, on every fixture pprof reads
# the same way (the Go-made ones, two libleak wrote, the well-formed hand-built ones), for
# every sample index, with pprof's default trimming and with -nodefraction=0.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
have_go || skip "go tool pprof not installed"
cd_fixtures
checked=0
for f in $LEAKPROF_GO_FIXTURES $LEAKPROF_LIBLEAK_FIXTURES $LEAKPROF_EDGE_FIXTURES; do
  types=$(sample_type_count "$f")
  [ "$types" -gt 0 ] || fail "$f: no sample types"
  for ((i = 0; i < types; i++)); do
    same_as_pprof "$f index $i" -top -sample_index=$i "$f" -- top --sample-index=$i "$f"
    same_as_pprof "$f index $i nodefraction 0" -top -nodefraction=0 -sample_index=$i "$f" \
      -- top --nodefraction=0 --sample-index=$i "$f"
    checked=$((checked + 2))
  done
done
# Sample types by name too, and the default (the file's default type, else the last).
same_as_pprof "by name" -top -sample_index=alloc_space go_heap_2.pb.gz -- top --sample-index alloc_space go_heap_2.pb.gz
same_as_pprof "default" -top go_cpu.pb.gz -- top go_cpu.pb.gz
# A value pinned by hand, so that a shared mistake of both tools would still show.
assert_contains "$("$LEAKPROF" top edge/mappings.pb)" \
  "       3MB   100%   100%        3MB   100%  malloc" "mappings.pb inuse_space row"
echo "$checked comparisons agree"
