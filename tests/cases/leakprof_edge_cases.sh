#!/bin/bash
# Hand-built edge cases pinned: frames without names shown as addresses, inlined lines,
# zero and negative values, an empty profile, several mappings; and info.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
cd_fixtures
# --no-symbolize: the unnamed frames' mapping names /usr/bin/stripped, which leakprof would
# otherwise look for on this machine (naming is tested by tests/cases/symbolize_*.sh).
pinned top_unnamed.txt "$LEAKPROF" top --no-symbolize edge/unnamed.pb
pinned traces_unnamed.txt "$LEAKPROF" traces --no-symbolize edge/unnamed.pb
pinned top_inlined.txt "$LEAKPROF" top --nodefraction 0 edge/inlined.pb.gz
pinned top_negative.txt "$LEAKPROF" top --nodefraction 0 edge/zero_negative.pb
pinned top_empty.txt "$LEAKPROF" top edge/empty.pb
pinned info_mappings.txt "$LEAKPROF" info edge/mappings.pb
pinned info_go_cpu.txt "$LEAKPROF" info go_cpu.pb.gz
pinned info_empty.txt "$LEAKPROF" info edge/empty.pb
out=$("$LEAKPROF" top edge/unnamed.pb 2>/dev/null)
assert_contains "$out" "      700B 70.00% 70.00%       900B 90.00%  0x4014ef" "nameless frame shown by address"
assert_contains "$("$LEAKPROF" top --nodefraction 0 edge/zero_negative.pb)" \
  "      -4kB 28.57% 42.86%       -4kB 28.57%  shrinks" "negative row"
