#!/bin/bash
# leakprof html in a real browser: Debian's chromium, headless, driven by playwright-core
# (tests/browser/check_report.js; no browser download), loads reports from disk and we check
# what they drew: the demo's snapshot series (function names, the timeline, the growth table
# cell by cell against `leakprof growth`, choosing a suspect), Go's heap profiles (hover, click
# to zoom, Back, search by function name or source file, case-sensitive), a difference
# (--base), the fragmentation example (resident memory beside the estimate), a 16 384-stack
# profile, and a profile whose function name is "</script><script>z=1//" (drawn as a name,
# never run).
# LEAKPROF_SCREENSHOT=docs/leakprof-html.png also saves the demo's screenshot there.
# Skipped, saying why, where chromium, node or playwright-core cannot be had.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib
require_prog many_stacks
for example in leaky_server fragmentation; do
  [ -x "$BUILD/examples/$example" ] || fail "$BUILD/examples/$example not built (run make examples)"
done

export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "chromium is not installed (Debian package chromium: as root, tools/deps.sh --install browser)"
command -v node >/dev/null 2>&1 || skip "node (Node.js) is not installed"
modules=$BUILD/browser
"$LIBLEAK_ROOT/tests/browser/install.sh" "$modules" 2>install.err ||
  skip "playwright-core could not be installed with npm ci: $(head -n 1 install.err)"

# The demo's series (make demo writes the same), quicker.
DEMO_OUT=$TEST_TMP/demo DEMO_INTERVAL=0.3 DEMO_SNAPSHOTS=4 DEMO_READER=leakprof \
  "$LIBLEAK_ROOT/examples/demo.sh" >demo.out 2>&1 || { cat demo.out; fail "examples/demo.sh failed"; }
[ -s demo/report.html ] || { cat demo.out; fail "the demo wrote no demo/report.html"; }
assert_contains "$(cat demo.out)" "build/leakprof html -o" "the demo names the report"
series=(demo/leaky_server.000{1,2,3,4}.heap.pb.gz)
"$LEAKPROF" growth -n 0 "${series[@]}" >demo_growth.txt || fail "leakprof growth of the demo failed"

"$LEAKPROF" html -o go.html "$FIXTURES"/go_heap_{1,2,3,4}.pb.gz || fail "leakprof html of Go's profiles failed"
"$LEAKPROF" growth -n 0 "$FIXTURES"/go_heap_{1,2,3,4}.pb.gz >go_growth.txt || fail "leakprof growth (Go)"
"$LEAKPROF" html --base "$FIXTURES/go_heap_1.pb.gz" -o diff.html "$FIXTURES/go_heap_4.pb.gz" ||
  fail "leakprof html --base failed"

# A hostile name, as long as the one it replaces so that the protobuf lengths still hold.
gzip -dc "$FIXTURES/libleak_demo_4.pb.gz" >plain.pb
hostile='</script><script>z=1//'
[ ${#hostile} = 22 ] || fail "the hostile name must be as long as __libc_start_call_main"
LC_ALL=C sed 's|__libc_start_call_main|</script><script>z=1//|g' plain.pb >hostile.pb
cmp -s plain.pb hostile.pb && fail "the hostile name was not put in"
"$LEAKPROF" html -o hostile.html hostile.pb || fail "leakprof html of the hostile profile failed"

# Fragmentation (examples/fragmentation.c): resident memory grows, the in-use heap does not.
timeout 60 env LIBLEAK_OUT='frag.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$BUILD/examples/fragmentation" >/dev/null 2>&1 ||
  fail "examples/fragmentation failed"
"$LEAKPROF" html -o frag.html frag.000[1-8].pb.gz || fail "leakprof html of the fragmentation series failed"

LIBLEAK_RATE=1 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/many_stacks" 14 >/dev/null || fail "many_stacks 14 failed"
"$LEAKPROF" html -o big.html stacks.pb.gz || fail "leakprof html of 16384 stacks failed"

cat >checks.json <<EOF
[
  {"report": "demo/report.html", "screenshot": "demo.png", "names": ["remember_request", "handle_request", "main"],
   "snapshots": 4, "growthFile": "demo_growth.txt", "search": "remember"},
  {"report": "go.html", "names": ["main.leakyCache", "main.steadyBuffers", "runtime.main"], "snapshots": 4,
   "growthFile": "go_growth.txt", "zoom": "main.steadyBuffers", "search": "steady",
   "searches": {"heapgen\\\\.go$": true, "MAIN\\\\.": false}},
  {"report": "diff.html", "names": ["main.leakyCache"], "diff": true, "zoom": "main.leakyCache"},
  {"report": "hostile.html", "names": ["</script><script>z=1//", "remember_request"], "undefinedGlobals": ["z"]},
  {"report": "frag.html", "snapshots": 8, "stackLines": 0, "memory": "the allocator holds"},
  {"report": "big.html", "names": ["go_left", "go_right", "step"], "zoom": "go_left", "search": "go_right"}
]
EOF
NODE_PATH=$modules/node_modules node "$LIBLEAK_ROOT/tests/browser/check_report.js" checks.json ||
  fail "the browser checks failed (above)"

size=$(stat -c %s demo.png)
[ "$size" -gt 20000 ] || fail "the screenshot is only $size bytes"
if [ -n "${LEAKPROF_SCREENSHOT:-}" ]; then
  case $LEAKPROF_SCREENSHOT in /*) target=$LEAKPROF_SCREENSHOT ;; *) target=$LIBLEAK_ROOT/$LEAKPROF_SCREENSHOT ;; esac
  cp demo.png "$target" && echo "screenshot saved as $target"
fi
echo "html_browser: all checks passed"
