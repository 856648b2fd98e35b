#!/bin/bash
# leakprof growth P1..P4: the stack that grows in every step ranks first.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
cd_fixtures
pinned growth_go_heap.txt "$LEAKPROF" growth go_heap_1.pb.gz go_heap_2.pb.gz go_heap_3.pb.gz go_heap_4.pb.gz
pinned growth_go_heap_objects.txt "$LEAKPROF" growth --sample-index inuse_objects -n 3 go_heap_1.pb.gz go_heap_2.pb.gz go_heap_3.pb.gz go_heap_4.pb.gz
pinned growth_shrinking.txt "$LEAKPROF" growth go_heap_4.pb.gz go_heap_1.pb.gz
out=$("$LEAKPROF" growth go_heap_1.pb.gz go_heap_2.pb.gz go_heap_3.pb.gz go_heap_4.pb.gz)
top=$(echo "$out" | sed -n '/^    growth  steps/{n;p;q}')
assert_contains "$top" " 3/3 " "top suspect grew in every step"
assert_contains "$top" "main.leakyCache:29 < main.handleRequest:52" "top suspect's stack"
status=0; "$LEAKPROF" growth go_heap_1.pb.gz 2>/dev/null || status=$?
assert_eq 2 "$status" "growth with one file"
# On libleak's own profiles (make demo's leaky_server), the leak is the first suspect.
out=$("$LEAKPROF" growth libleak_demo_1.pb.gz libleak_demo_4.pb.gz)
top=$(echo "$out" | sed -n '/^    growth  steps/{n;p;q}')
assert_contains "$top" "+36.85MB    1/1     4.04MB    40.89MB  remember_request:126 < handle_request:141" "libleak demo suspect"
