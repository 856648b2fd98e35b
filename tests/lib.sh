# Sourced by every tests/cases/*.sh. The runner exports LIBLEAK_ROOT, BUILD, LIBLEAK_SO,
# LEAKPROF, FIXTURES and runs each test in its own temporary directory (TEST_TMP, the cwd).
set -u
: "${LIBLEAK_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${BUILD:=$LIBLEAK_ROOT/build}"
: "${LIBLEAK_SO:=$BUILD/libleak.so}"
: "${LEAKPROF:=$BUILD/leakprof}"
: "${FIXTURES:=$LIBLEAK_ROOT/tests/fixtures}"
: "${TEST_TMP:=$(mktemp -d)}"
TESTBIN=$BUILD/tests        # test programs built by tests/build.mk

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skipped: $*"; exit 77; }
assert_eq() {  # assert_eq EXPECTED ACTUAL WHAT
  [ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}
assert_contains() {  # assert_contains HAYSTACK NEEDLE WHAT
  case "$1" in *"$2"*) ;; *) fail "$3: '$2' not found in: $1" ;; esac
}
# assert_within EXPECTED ACTUAL PERCENT WHAT — |actual-expected| <= percent% of expected
assert_within() {
  awk -v e="$1" -v a="$2" -v p="$3" 'BEGIN { d = a - e; if (d < 0) d = -d; exit !(d <= e * p / 100) }' \
    || fail "$4: expected $1 ±$3%, got $2"
}

# go tool pprof, offline and hermetic.
gopprof() {
  local home=$TEST_TMP/.gohome
  mkdir -p "$home"
  HOME=$home GOCACHE=$home/cache PPROF_TMPDIR=$home/pprof GOFLAGS= GOPROXY=off \
    go tool pprof "$@"
}
have_go() { command -v go >/dev/null 2>&1; }

# run_under_libleak ENV=VAL... -- CMD ARGS: runs CMD with the library preloaded.
run_under_libleak() {
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$@"
}
