#!/bin/bash
# make demo's promise: examples/demo.sh runs leaky_server under the library, snapshots it with
# SIGUSR2, and the leaking function, remember_request, tops the diff of the first and last
# snapshot, whichever reader shows it (leakprof, or go tool pprof as the fallback). The same
# files, read by go tool pprof directly, agree; no server is left running.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib
[ -x "$BUILD/examples/leaky_server" ] || fail "$BUILD/examples/leaky_server not built (run make examples)"

# The function name in the first table row after the "flat flat% sum% cum cum%" header.
top_name() { awk 'header && NF >= 6 { print $6; exit } /flat%/ { header = 1 }' "$1"; }

# run_demo READER: runs the demo with DEMO_READER=READER into $TEST_TMP/READER and checks it.
run_demo() {
  local reader=$1 dir=$TEST_TMP/$1 rc env_file
  DEMO_OUT=$dir DEMO_READER=$reader "$LIBLEAK_ROOT/examples/demo.sh" >"$reader.out" 2>"$reader.err"
  rc=$?
  cat "$reader.out" "$reader.err"
  assert_eq 0 "$rc" "exit status of examples/demo.sh (DEMO_READER=$reader)"
  assert_eq remember_request "$(top_name "$reader.out")" "top of the demo's diff (DEMO_READER=$reader)"
  assert_contains "$(cat "$reader.out")" "that is the leak" "the demo's explanation"
  assert_contains "$(cat "$reader.out")" "go tool pprof -http=: " "the demo's closing hints"
  # No leaky_server of ours may outlive the demo (it would carry our LIBLEAK_OUT).
  for env_file in /proc/[0-9]*/environ; do
    tr '\0' '\n' <"$env_file" 2>/dev/null | grep -q "^LIBLEAK_OUT=$dir/" &&
      fail "a process started by the demo is still running: ${env_file//[!0-9]/}"
  done
  return 0
}

run_demo auto
snaps=("$TEST_TMP"/auto/leaky_server.*.heap.pb.gz)
[ "${#snaps[@]}" -ge 4 ] || fail "expected at least 4 profiles in $TEST_TMP/auto, found: ${snaps[*]}"
if grep -q "leakprof growth" auto.out && ! grep -q "leakprof growth is not usable" auto.out; then
  # leakprof was the reader: its growth ranking names the leak among its first lines.
  growth=$(sed -n '/leakprof growth/,/^== /p' auto.out | head -n 16)
  assert_contains "$growth" remember_request "leakprof growth over the demo's snapshots"
fi

if have_go; then
  gopprof -top -nodecount=5 -base "${snaps[0]}" "${snaps[3]}" >pprof.out 2>pprof.err \
    || fail "go tool pprof -base could not read the demo's profiles: $(head -c 400 pprof.err)"
  cat pprof.out
  assert_eq remember_request "$(top_name pprof.out)" "top of go tool pprof -top -base FIRST LAST"
  run_demo go   # the fallback path of the demo, as it runs before leakprof exists
fi
exit 0
