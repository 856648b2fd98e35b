#!/bin/bash
# leakprof folded: root first, ';'-joined, value last, sorted; zero stacks left out.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
cd_fixtures
pinned folded_go_heap_4.txt "$LEAKPROF" folded go_heap_4.pb.gz
pinned folded_go_cpu.txt "$LEAKPROF" folded --sample-index cpu go_cpu.pb.gz
pinned folded_edge.txt "$LEAKPROF" folded edge/mappings.pb
pinned folded_inlined.txt "$LEAKPROF" folded --sample-index=alloc_space edge/inlined.pb.gz
pinned folded_negative.txt "$LEAKPROF" folded edge/zero_negative.pb
# The folded values add up to the profile's total.
sum=$("$LEAKPROF" folded go_heap_4.pb.gz | awk '{ s += $NF } END { print s }')
total=$("$LEAKPROF" info go_heap_4.pb.gz | sed -n 's/^Total inuse_space .*(\(.*\))$/\1/p')
assert_eq "$total" "$sum" "folded sum equals the inuse_space total"
