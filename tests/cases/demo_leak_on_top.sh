#!/bin/bash
# make demo's promise: examples/demo.sh runs leaky_server under the library, snapshots it with
# SIGUSR2, and the leaking function, remember_request, tops the diff of the first and last
# snapshot. The same files, read by go tool pprof directly, agree; no server is left running.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib
[ -x "$BUILD/examples/leaky_server" ] || fail "$BUILD/examples/leaky_server not built (run make examples)"

DEMO_OUT=$TEST_TMP/demo "$LIBLEAK_ROOT/examples/demo.sh" >demo.out 2>demo.err
rc=$?
cat demo.out demo.err
assert_eq 0 "$rc" "exit status of examples/demo.sh"

# The first table row after the "flat flat% sum% cum cum%" header, and its function name.
top_name() { awk 'header && NF >= 6 { print $6; exit } /flat%/ { header = 1 }' "$1"; }
assert_eq remember_request "$(top_name demo.out)" "function at the top of the demo's diff"
assert_contains "$(cat demo.out)" "that is the leak" "the demo's explanation"
assert_contains "$(cat demo.out)" "go tool pprof -http=: " "the demo's closing hints"

snaps=("$TEST_TMP"/demo/leaky_server.*.heap.pb.gz)
[ "${#snaps[@]}" -ge 4 ] || fail "expected at least 4 profiles in $TEST_TMP/demo, found: ${snaps[*]}"

if grep -q "leakprof growth" demo.out && ! grep -q "leakprof growth is not usable" demo.out; then
  # leakprof was the reader: its growth ranking names the leak among its first lines.
  growth=$(sed -n '/leakprof growth/,/^== /p' demo.out | head -n 12)
  assert_contains "$growth" remember_request "leakprof growth over the demo's snapshots"
fi

if have_go; then
  gopprof -top -nodecount=5 -base "${snaps[0]}" "${snaps[3]}" >pprof.out 2>pprof.err \
    || fail "go tool pprof -base could not read the demo's profiles: $(head -c 400 pprof.err)"
  cat pprof.out
  assert_eq remember_request "$(top_name pprof.out)" "top of go tool pprof -top -base FIRST LAST"
fi

# No leaky_server of ours may outlive the demo (it would carry our LIBLEAK_OUT).
for env_file in /proc/[0-9]*/environ; do
  tr '\0' '\n' <"$env_file" 2>/dev/null | grep -q "^LIBLEAK_OUT=$TEST_TMP/demo/" &&
    fail "a process started by the demo is still running: ${env_file//[!0-9]/}"
done
exit 0
