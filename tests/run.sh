#!/bin/bash
# The test runner of `make test`. A test is an executable: a script tests/cases/*.sh or a
# unit-test binary build/tests/unit/*. Exit 0 passes, 77 skips, anything else (or the time
# limit) fails. Each runs in a fresh temporary directory with the variables of tests/lib.sh.
# Usage: tests/run.sh [PATTERN]   (only tests whose name contains PATTERN)
set -u
cd "$(dirname "$0")/.." || exit 2
root=$PWD
pattern=${1:-}
export LIBLEAK_ROOT=$root
export BUILD=$root/build
export LIBLEAK_SO=$BUILD/libleak.so
export LEAKPROF=$BUILD/leakprof
export FIXTURES=$root/tests/fixtures
logs=$BUILD/test-logs
mkdir -p "$logs"   # each test replaces only its own log: runs of other patterns may share it
per_test_limit=${TEST_TIMEOUT:-300}

tests=()
for t in tests/cases/*.sh build/tests/unit/*; do
  [ -x "$t" ] || continue
  [ -n "$pattern" ] && [[ "$t" != *"$pattern"* ]] && continue
  tests+=("$t")
done

passed=0 failed=0 skipped=0 failures=()
start_all=$(date +%s)
for t in "${tests[@]}"; do
  name=$(basename "$t"); name=${name%.sh}
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/libleak-test.XXXXXX")
  start=$(date +%s%N)
  (cd "$tmp" && TEST_TMP=$tmp timeout -k 10 "$per_test_limit" "$root/$t" ) >"$logs/$name.log" 2>&1 </dev/null
  rc=$?
  tenths=$(( ($(date +%s%N) - start) / 100000000 ))
  secs="$((tenths / 10)).$((tenths % 10))"
  case $rc in
    0)  passed=$((passed+1)); echo "PASS $name (${secs}s)" ;;
    77) skipped=$((skipped+1)); echo "SKIP $name: $(tail -n 1 "$logs/$name.log")" ;;
    *)  failed=$((failed+1)); failures+=("$name")
        [ $rc = 124 ] && echo "timed out after ${per_test_limit}s" >>"$logs/$name.log"
        echo "FAIL $name (exit $rc, ${secs}s) — last lines of $logs/$name.log:"
        tail -n 15 "$logs/$name.log" | sed 's/^/    /' ;;
  esac
  rm -rf "$tmp"
done
echo "suite took $(( $(date +%s) - start_all ))s; failed: ${failures[*]:-none}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
