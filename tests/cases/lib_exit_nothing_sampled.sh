#!/bin/bash
# A process that sampled nothing (issue 19, item 13) gets an empty exit profile, written at
# once: sample types, period and comments ("samples taken: 0"), no samples, no mappings (the
# module list and names are what a dump pays for; libleak(3), LIBLEAK_AT_EXIT). Readable by
# leakprof and by go tool pprof. A process that sampled gets its mappings as before.
# (The time this saves is measured by the benchmark's echo row, never here.)
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib

# 1 TiB between samples: echo's few kilobytes are sampled with probability ~1e-8.
out=$(LIBLEAK_RATE=1t LIBLEAK_OUT="$PWD/empty.%n.heap" LD_PRELOAD="$LIBLEAK_SO" /bin/echo hello 2>err.txt)
assert_eq "hello" "$out" "echo's output"
[ -s empty.0001.heap ] || fail "no exit profile for a process that sampled nothing ($(head -c 300 err.txt))"
"$LEAKPROF" info empty.0001.heap >info.txt 2>&1 || fail "leakprof cannot read the empty profile: $(head -c 300 info.txt)"
info=$(cat info.txt)
assert_contains "$info" "Samples:       0" "no samples"
assert_contains "$info" "Mappings:      0" "no mappings: the module list was not read"
assert_contains "$info" "samples taken: 0;" "the comment says why it is empty"
assert_contains "$info" "inuse_space/bytes (default)" "the sample types are there"
assert_contains "$info" "Period:        1099511627776 space/bytes" "the period is there"
"$LEAKPROF" top empty.0001.heap >top.txt 2>&1 || fail "leakprof top on the empty profile: $(head -c 300 top.txt)"
if have_go; then
  pprof_raw empty.0001.heap raw.txt
  assert_contains "$(cat raw.txt)" "inuse_space/bytes" "go tool pprof reads the empty profile"
fi
echo "ok: sampled nothing: an empty profile"

# The same program in exact mode samples: its profile has mappings and samples.
LIBLEAK_RATE=1 LIBLEAK_OUT="$PWD/full.%n.heap" LD_PRELOAD="$LIBLEAK_SO" /bin/echo hello >/dev/null 2>err.txt
"$LEAKPROF" info full.0001.heap >info.txt 2>&1 || fail "leakprof cannot read the exact profile: $(head -c 300 info.txt)"
grep -q "^Mappings: *[1-9]" info.txt || fail "exact mode: no mappings: $(cat info.txt)"
grep -q "^Samples: *[1-9]" info.txt || fail "exact mode: no samples: $(cat info.txt)"
echo "ok: sampled: mappings and samples"
