#!/bin/bash
# leakprof traces agrees with go tool pprof -traces (labels, merged samples, inline marks).
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
have_go || skip "go tool pprof not installed"
cd_fixtures
for f in go_heap_1.pb.gz go_heap_4.pb.gz go_cpu.pb.gz libleak_demo_4.pb.gz edge/mappings.pb edge/inlined.pb.gz edge/zero_negative.pb; do
  same_as_pprof "$f" -traces "$f" -- traces "$f"
done
same_as_pprof "alloc_space" -traces -sample_index=alloc_space go_heap_2.pb.gz -- traces --sample-index alloc_space go_heap_2.pb.gz
assert_contains "$("$LEAKPROF" traces edge/inlined.pb.gz)" "             new_node (inline)" "inline mark"
