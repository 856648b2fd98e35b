#!/bin/bash
# leakprof diff OLD NEW: the function that grew (main.leakyCache) comes first, then the
# stacks that grew, with their lines; pinned against expected text.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
cd_fixtures
pinned diff_go_heap_1_4.txt "$LEAKPROF" diff go_heap_1.pb.gz go_heap_4.pb.gz
pinned diff_go_heap_4_1.txt "$LEAKPROF" diff go_heap_4.pb.gz go_heap_1.pb.gz
pinned diff_alloc_objects.txt "$LEAKPROF" diff --sample-index alloc_objects -n 5 go_heap_2.pb.gz go_heap_3.pb.gz
pinned diff_same.txt "$LEAKPROF" diff edge/mappings.pb edge/mappings.pb
pinned diff_libleak.txt "$LEAKPROF" diff libleak_demo_1.pb.gz libleak_demo_4.pb.gz
# The leak is the first row of the table and the first stack.
out=$("$LEAKPROF" diff go_heap_1.pb.gz go_heap_4.pb.gz)
first_row=$(echo "$out" | sed -n '/^      flat/{n;p;q}')
assert_contains "$first_row" "main.leakyCache" "first row of the diff"
first_stack=$(echo "$out" | sed -n '/^Stacks that grew most/{n;p;q}')
assert_eq "+772.50kB main.leakyCache:29 < main.handleRequest:52 < main.main:102 < runtime.main:250" \
  "$(echo $first_stack)" "first growing stack"
first_row=$("$LEAKPROF" diff libleak_demo_1.pb.gz libleak_demo_4.pb.gz | sed -n '/^      flat/{n;p;q}')
assert_eq "   36.85MB 82.02% 82.02%    36.85MB 82.02%  remember_request" "$first_row" "libleak diff first row"
