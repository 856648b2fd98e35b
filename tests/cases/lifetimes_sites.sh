#!/bin/bash
# The alloc samples of freed blocks carry the numeric label "lifetime" (nanoseconds, the lower
# bound of the block's decade: 0 under 1 us, then 1us, 10us, ... 100s). tests/programs/lifetimes.c
# has three sites: temporary (freed at once), short_lived (freed after 12 ms), kept (never
# freed). go tool pprof judges, in exact mode and at the default rate:
#   -tagfocus=lifetime=:1ms (lived under 10 ms) keeps temporary only, with all its bytes;
#   -tagfocus=lifetime=1s: (lived a second or more) keeps none of them;
#   -tagfocus=lifetime=10ms:100ms keeps short_lived only;
#   every site's alloc_space over all its samples is what it allocated (exact mode: to the
#   byte), and kept's samples carry no lifetime.
# leakprof lifetimes prints the shares per site and leakprof --tagfocus agrees with pprof's.
# And the leak gate (LIBLEAK_CHECK=1) still counts kept's blocks lost, to the byte.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib; require_prog lifetimes; require_go

block=65536
temporary=$((4096 * block)) short_lived=$((1024 * block)) kept=$((512 * block))

# site_bytes PROFILE TAGFOCUS: "SITE BYTES" lines of -top's flat alloc_space (sites of the program).
site_bytes() {
  gopprof -top -unit=B -sample_index=alloc_space ${2:+-tagfocus="$2"} -symbolize=none "$1" 2>/dev/null \
    | awk '$NF ~ /^(temporary|short_lived|kept)$/ { b = $1; sub(/B$/, "", b); print $NF, b }' | sort
}
bytes_of() { awk -v s="$2" '$1 == s { print $2 }' <<<"$1"; }

# check MODE TOLERANCE ENV...
check() {
  local mode=$1 tolerance=$2; shift 2
  mkdir -p "$mode"
  run_under_libleak "$@" LIBLEAK_OUT="$mode/exit.pb.gz" -- "$TESTBIN/lifetimes" >"$mode/out.txt" 2>"$mode/err.txt" \
    || fail "$mode: lifetimes failed: $(cat "$mode/err.txt")"
  local f=$mode/exit.pb.gz
  [ -s "$f" ] || fail "$mode: no exit profile"
  pprof_raw "$f" "$mode/raw.txt"

  local all short long middle
  all=$(site_bytes "$f" "")
  for site in temporary short_lived kept; do
    local got
    got=$(bytes_of "$all" $site)
    [ -n "$got" ] || fail "$mode: $site missing from -top: $all"
    if [ "$tolerance" = 0 ]; then
      assert_eq "${!site}" "$got" "$mode: $site's alloc_space over all its samples"
    else
      assert_within "${!site}" "$got" "$tolerance" "$mode: $site's alloc_space over all its samples"
    fi
  done

  short=$(site_bytes "$f" "lifetime=:1ms")
  assert_eq "temporary" "$(awk '{ print $1 }' <<<"$short" | tr '\n' ' ' | sed 's/ $//')" \
    "$mode: the sites under -tagfocus=lifetime=:1ms"
  # A preemption of more than 10 ms between a malloc and its free moves a block out: 1 %.
  assert_within "$temporary" "$(bytes_of "$short" temporary)" $((tolerance + 1)) \
    "$mode: temporary's bytes under lifetime=:1ms"

  long=$(site_bytes "$f" "lifetime=1s:")
  assert_eq "" "$long" "$mode: the sites under -tagfocus=lifetime=1s:"

  middle=$(site_bytes "$f" "lifetime=10ms:100ms")
  assert_eq "short_lived" "$(awk '{ print $1 }' <<<"$middle" | tr '\n' ' ' | sed 's/ $//')" \
    "$mode: the sites under -tagfocus=lifetime=10ms:100ms"

  # kept: no sample of it has a lifetime; its in-use space is all it allocated.
  gopprof -top -unit=B -sample_index=alloc_space -tagfocus='lifetime=0:' -symbolize=none "$f" 2>/dev/null \
    | grep -qw kept && fail "$mode: a sample of kept (never freed) has a lifetime"
  grep -q 'lifetime:\[.*nanoseconds\]' "$mode/raw.txt" || fail "$mode: no lifetime label in nanoseconds in -raw"

  for filter in 'lifetime=:1ms' 'lifetime=1s:' 'lifetime=10ms:100ms' 'lifetime=0' 'lifetime=0ns' 'lifetime=1us:1s'; do
    ours=$("$LEAKPROF" top -i alloc_space --tagfocus "$filter" "$f" 2>&1 | sed -n '/^Showing nodes/,$p')
    theirs=$(gopprof -top -sample_index=alloc_space -tagfocus="$filter" "$f" 2>/dev/null | sed -n '/^Showing nodes/,$p')
    assert_eq "$theirs" "$ours" "$mode: leakprof top --tagfocus $filter against go tool pprof"
  done

  # leakprof lifetimes: temporary all freed within 1 ms, short_lived within 1 s but not 1 ms,
  # kept all live; medians "<1us" or a decade under 1 ms, and 10ms-100ms.
  "$LEAKPROF" lifetimes "$f" >"$mode/lifetimes.txt" 2>&1 || fail "$mode: leakprof lifetimes: $(cat "$mode/lifetimes.txt")"
  row() { awk -v s="$1" '$NF == s { print $3, $4, $5 }' "$mode/lifetimes.txt"; }
  median_of() { awk -v s="$1" '$NF == s { print $6 }' "$mode/lifetimes.txt"; }
  assert_eq "100.0% 100.0% 0.0%" "$(row temporary)" "$mode: lifetimes of temporary (<1ms <1s live)"
  assert_eq "0.0% 100.0% 0.0%" "$(row short_lived)" "$mode: lifetimes of short_lived"
  assert_eq "0.0% 0.0% 100.0%" "$(row kept)" "$mode: lifetimes of kept"
  assert_eq "10ms-100ms" "$(median_of short_lived)" "$mode: short_lived's median lifetime"
  case $(median_of temporary) in "<1us" | 1us-10us | 10us-100us) ;; *) fail "$mode: temporary's median lifetime: $(cat "$mode/lifetimes.txt")" ;; esac
  # The html page carries the same rows (its lifetimes table).
  "$LEAKPROF" html -o "$mode/report.html" "$f" 2>/dev/null || fail "$mode: leakprof html failed"
  grep -q '"lifetimes":\[\["temporary",[0-9]*,[0-9]*,[0-9]*,[0-9]*,0,' "$mode/report.html" \
    || fail "$mode: the html page's lifetimes rows: $(grep -o '"lifetimes":.\{0,200\}' "$mode/report.html")"
  echo "ok: $mode"
}

# Exact mode leaves lifetimes out unless asked (a clock read per call): none by default.
mkdir exact_default && run_under_libleak LIBLEAK_RATE=1 LIBLEAK_OUT=exact_default/exit.pb.gz -- "$TESTBIN/lifetimes" >/dev/null \
  || fail "exact mode, LIBLEAK_LIFETIMES unset: lifetimes failed"
pprof_raw exact_default/exit.pb.gz exact_default/raw.txt
grep -q 'lifetime:' exact_default/raw.txt && fail "exact mode: lifetime labels without LIBLEAK_LIFETIMES=1"
echo "ok: exact mode without LIBLEAK_LIFETIMES writes no lifetime labels"
check exact 0 LIBLEAK_RATE=1 LIBLEAK_LIFETIMES=1
# At the default rate (512 KiB) a 64 KiB block is sampled with probability p = 1 - e^-1/8 =
# 0.118; the estimate of n blocks has a relative standard deviation of sqrt((1-p)/(n p)):
# 4 % for temporary (4096 blocks), 9 % for short_lived (1024), 12 % for kept (512). 40 % is
# more than three standard deviations for each.
check rate 40

# The gate: kept's blocks lost to the byte; its exit profile without lifetimes by default (the
# gate keeps its speed), with them under LIBLEAK_LIFETIMES=1.
gate_run gate LIBLEAK_AT_EXIT=1 LIBLEAK_OUT=gate.%n.pb.gz -- "$TESTBIN/lifetimes"
assert_summary gate.err "$kept 512" - - "gate"
[ -s gate.0001.pb.gz ] || fail "gate: no exit profile: $(ls)"
pprof_raw gate.0001.pb.gz gate.raw
grep -q 'lifetime:' gate.raw && fail "gate: lifetime labels without LIBLEAK_LIFETIMES=1"
mkdir gate_lifetimes && cd gate_lifetimes || exit 1
gate_run gate LIBLEAK_LIFETIMES=1 LIBLEAK_AT_EXIT=1 LIBLEAK_OUT=gate.%n.pb.gz -- "$TESTBIN/lifetimes"
assert_summary gate.err "$kept 512" - - "gate, LIBLEAK_LIFETIMES=1"
middle=$(site_bytes gate.0001.pb.gz "lifetime=10ms:100ms")
assert_eq "short_lived $short_lived" "$middle" "gate, LIBLEAK_LIFETIMES=1: short_lived under lifetime=10ms:100ms"
cd ..
echo "ok: the gate"

# LIBLEAK_LIFETIMES=0: no lifetime label, the totals as they were.
mkdir off && run_under_libleak LIBLEAK_LIFETIMES=0 LIBLEAK_RATE=1 LIBLEAK_OUT=off/exit.pb.gz -- "$TESTBIN/lifetimes" >/dev/null \
  || fail "LIBLEAK_LIFETIMES=0: lifetimes failed"
pprof_raw off/exit.pb.gz off/raw.txt
grep -q 'lifetime:' off/raw.txt && fail "LIBLEAK_LIFETIMES=0: lifetime labels written"
assert_eq "$(site_bytes exact/exit.pb.gz "")" "$(site_bytes off/exit.pb.gz "")" "LIBLEAK_LIFETIMES=0: alloc_space per site"
echo "ok: LIBLEAK_LIFETIMES=0"
