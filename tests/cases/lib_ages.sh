#!/bin/bash
# The age of live blocks: old_and_churn leaks 64 MB at start (leak_at_start), then serves
# requests whose blocks live ~0.1 s (serve_request) for 3.5 s, then writes a snapshot. Each
# sample of live blocks carries the numeric label age (seconds); `leakprof top|traces|folded
# |html --older-than 2s` keeps the leak and drops the churn — exactly in exact mode, within the
# sampling error at the default rate — and so does `go tool pprof -tagfocus=age=2s:` (the
# syntax the README documents). The alloc_* values are counted once (exact mode).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog old_and_churn; require_go

# folded_sum FILE FUNC [OPTIONS...]: the sum of leakprof folded's values over stacks with FUNC.
folded_sum() {
  local file=$1 fn=$2; shift 2
  "$LEAKPROF" folded "$@" "$file" | awk -v fn="$fn" '{ n = split($1, f, ";"); for (i = 1; i <= n; i++) if (f[i] == fn) { s += $2; break } } END { printf "%.0f\n", s + 0 }'
}

for rate in default 1; do
  mkdir "rate$rate" && cd "rate$rate" || exit 1
  envs=(LIBLEAK_AT_EXIT=0)
  [ $rate = default ] || envs+=(LIBLEAK_RATE=$rate)
  timeout 60 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/old_and_churn" 3.5 >out.txt 2>err.txt \
    || fail "rate $rate: old_and_churn failed: $(cat err.txt)"
  leak_truth=$(awk '$2 == "leak_at_start" { print $4 }' out.txt)
  churn_truth=$(awk '$2 == "serve_request" { print $4 }' out.txt)
  pprof_raw ages.pb.gz ages.raw
  # every sample with in-use values carries age (seconds); the allocation samples carry none
  # (a sample's labels follow it on one line or two: strings, then numbers)
  with_inuse=$(awk 'function judge() { if (inuse && !aged) bad++; inuse = aged = 0 }
                    /^Samples:/ { s = 1; getline; next } /^Locations/ { if (s) judge(); s = 0 }
                    s && /^ *[0-9-].*: / { judge(); split(substr($0, 1, index($0, ":") - 1), v, " "); inuse = (v[3] != 0 || v[4] != 0); next }
                    s && /age:/ { aged = 1 }
                    END { print bad + 0 }' ages.raw)
  assert_eq 0 "$with_inuse" "rate $rate: samples with in-use values but no age label"
  grep -Eq 'age:\[[3-9] seconds\]' ages.raw \
    || fail "rate $rate: no sample labelled with an age of 3 s or more: $(grep -m3 age ages.raw)"
  old_leak=$(folded_sum ages.pb.gz leak_at_start --older-than 2s)
  old_churn=$(folded_sum ages.pb.gz serve_request --older-than 2s)
  all_churn=$(folded_sum ages.pb.gz serve_request)
  assert_eq 0 "$old_churn" "rate $rate: serve_request's bytes at least 2 s old"
  if [ $rate = default ]; then
    assert_within "$leak_truth" "$old_leak" 35 "rate $rate: leak_at_start's bytes at least 2 s old (±35 %, ~4 sigma)"
  else
    assert_eq "$leak_truth" "$old_leak" "rate $rate: leak_at_start's bytes at least 2 s old"
    assert_eq "$churn_truth" "$all_churn" "rate $rate: serve_request's bytes of every age"
    assert_eq 0 "$(folded_sum ages.pb.gz leak_at_start --older-than 1h)" "rate $rate: leak_at_start --older-than 1h"
    # alloc_space counted once: the sum over every sample of leak_at_start's stacks
    set -- $(site_values ages.raw leak_at_start)
    assert_eq "$leak_truth" "$2" "rate $rate: alloc_space of leak_at_start summed over its samples"
    assert_eq "$leak_truth" "$4" "rate $rate: inuse_space of leak_at_start summed over its samples"
  fi
  # top and traces take the flag too
  "$LEAKPROF" top --older-than 2s ages.pb.gz | grep -q leak_at_start || fail "rate $rate: top --older-than 2s lost leak_at_start"
  "$LEAKPROF" top --older-than 2s ages.pb.gz | grep -q serve_request && fail "rate $rate: top --older-than 2s kept serve_request"
  "$LEAKPROF" traces --older-than 2s ages.pb.gz | grep -q serve_request && fail "rate $rate: traces --older-than 2s kept serve_request"
  "$LEAKPROF" html -o old.html --older-than 2s ages.pb.gz 2>/dev/null || fail "rate $rate: html --older-than 2s failed"
  grep -q leak_at_start old.html || fail "rate $rate: html --older-than 2s lost leak_at_start"
  grep -q serve_request old.html && fail "rate $rate: html --older-than 2s kept serve_request"
  if [ $rate != default ]; then
    "$LEAKPROF" html -o all.html ages.pb.gz 2>/dev/null && grep -q serve_request all.html || fail "rate $rate: html without --older-than lost serve_request"
  fi
  # go tool pprof: -tagfocus=age=2s: keeps the same (the unit is needed: age=2: matches nothing)
  got=$(gopprof -top -unit=B -nodefraction=0 -sample_index=inuse_space -symbolize=none -tagfocus=age=2s: ages.pb.gz 2>/dev/null \
        | awk '$6 == "leak_at_start" { sub(/B$/, "", $4); print $4 }')
  assert_eq "$old_leak" "$got" "rate $rate: pprof -tagfocus=age=2s: vs leakprof --older-than 2s for leak_at_start"
  gopprof -top -symbolize=none -tagfocus=age=2s: ages.pb.gz 2>/dev/null | grep -q serve_request \
    && fail "rate $rate: pprof -tagfocus=age=2s: kept serve_request"
  echo "ok: rate $rate: --older-than 2s keeps $old_leak bytes of leak_at_start (truth $leak_truth) and $old_churn of serve_request ($all_churn of any age); pprof -tagfocus agrees"
  cd ..
done

status=0; "$LEAKPROF" top --older-than soon rate1/ages.pb.gz >/dev/null 2>err.txt || status=$?
assert_eq 2 "$status" "top --older-than soon: exit status"
assert_contains "$(cat err.txt)" "bad duration" "top --older-than soon: the message"
echo "ok: a bad --older-than is a usage error"
