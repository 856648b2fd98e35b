#!/bin/bash
# README "Watching a service", followed as written, on examples/leaky_server: the directory of
# LIBLEAK_OUT is created first (libleak does not create it: the README must say so), and the
# `leakprof growth` command it shows ranks the numbered series only. Its glob used to take the
# peak (and near-limit) profiles in as if they were the last snapshots, so the leak grew in
# "4/5" steps, not at every step.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib
server=$BUILD/examples/leaky_server
[ -x "$server" ] || fail "$server not built (run make examples)"
readme=$LIBLEAK_ROOT/README.md

section=$(sed -n '/^## Watching a service/,/^## The leak gate/p' "$readme")
assert_contains "$section" "mkdir -p /var/tmp/prof" "README's walk creates the directory of LIBLEAK_OUT"
growth_line=$(grep -m1 'leakprof growth /var/tmp/prof/service.4242\.' <<<"$section") \
  || fail "no 'leakprof growth /var/tmp/prof/service.4242.…' line in the section"
glob=${growth_line#*service.4242.}; glob=${glob%% *}
echo "the README's glob after service.4242.: $glob"

mkdir prof
timeout 60 env LIBLEAK_INUSE_INTERVAL=4m LIBLEAK_PEAK=1 LIBLEAK_MAX_FILES=50 \
  LIBLEAK_OUT="$PWD/prof/%e.%p.%n.heap.pb.gz" LD_PRELOAD="$LIBLEAK_SO" "$server" -n 3000 -r 2000 >out.txt 2>err.txt
rc=$?
cat out.txt err.txt
assert_eq 0 "$rc" "exit status of leaky_server"
assert_eq "" "$(cat err.txt | grep libleak)" "libleak's lines on stderr"
pid=$(ls prof | sed -n 's/^leaky_server\.\([0-9]*\)\.0001\.heap\.pb\.gz$/\1/p')
[ -n "$pid" ] || fail "no first snapshot: $(ls prof)"
[ -s "prof/leaky_server.$pid.peak.heap.pb.gz" ] || fail "no peak profile: $(ls prof)"

files=$(compgen -G "prof/leaky_server.$pid.$glob" | sort)
echo "$files"
grep -q peak <<<"$files" && fail "the README's glob takes the peak profile in: $files"
count=$(wc -l <<<"$files")
[ "$count" -ge 3 ] || fail "expected a series of 3 or more snapshots, got $count"
"$LEAKPROF" growth $files >growth.txt || fail "leakprof growth failed"
cat growth.txt
# Every step but the last may grow: the exit profile can come right after the last snapshot
# of LIBLEAK_INUSE_INTERVAL, with nothing grown in between.
steps=$((count - 1))
first=$(grep -A1 '^ *growth  steps' growth.txt | tail -n 1)
grep -Eq " ($((steps - 1))|$steps)/$steps .*remember_request" <<<"$first" \
  || fail "the first suspect is not remember_request growing in $((steps - 1)) or $steps of $steps steps: $first"
echo "ok: the README's walk: $count snapshots, remember_request first, growing at every step but maybe the last"
