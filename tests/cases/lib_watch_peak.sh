#!/bin/bash
# LIBLEAK_PEAK=1: a program that grows to 200 MiB (build_peak), frees it all and exits leaves a
# peak profile (%n = peak) holding the 200 MiB — exactly in exact mode, within 15 % at the
# default rate — while its exit profile holds nothing of build_peak. LIBLEAK_PEAK=all also
# writes the peak with every snapshot, as peak.NNNN.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog peak_then_free dump_many; require_go

for rate in default 1; do
  mkdir "rate$rate" && cd "rate$rate" || exit 1
  envs=(LIBLEAK_PEAK=1 LIBLEAK_OUT='%n.pb.gz')
  [ $rate = default ] || envs+=(LIBLEAK_RATE=$rate)
  timeout 60 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/peak_then_free" 200 >out.txt 2>err.txt \
    || fail "rate $rate: peak_then_free failed: $(cat err.txt)"
  [ -s peak.pb.gz ] || fail "rate $rate: no peak profile: $(ls)"
  [ -s 0001.pb.gz ] || fail "rate $rate: no exit profile: $(ls)"
  pprof_raw peak.pb.gz peak.raw
  pprof_raw 0001.pb.gz exit.raw
  read -r _ _ _ truth <out.txt
  set -- $(site_values peak.raw build_peak); peak=$4
  set -- $(site_values exit.raw build_peak); at_exit=$4
  if [ $rate = default ]; then
    assert_within "$truth" "$peak" 15 "rate $rate: inuse_space of build_peak in the peak profile"
  else
    assert_eq "$truth" "$peak" "rate $rate: inuse_space of build_peak in the peak profile"
  fi
  assert_eq 0 "$at_exit" "rate $rate: inuse_space of build_peak in the exit profile"
  "$LEAKPROF" info peak.pb.gz | grep -q 'peak: .* MiB estimated in use' || fail "rate $rate: no 'peak:' comment"
  echo "ok: rate $rate: peak profile $peak bytes of build_peak (truth $truth), exit profile $at_exit"
  cd ..
done

# LIBLEAK_PEAK=all: a peak file next to each snapshot, and the peak at exit.
mkdir all && cd all || exit 1
timeout 60 env LIBLEAK_PEAK=all LIBLEAK_RATE=1 LIBLEAK_OUT='%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/dump_many" 3 >out.txt 2>err.txt \
  || fail "LIBLEAK_PEAK=all: dump_many failed: $(cat err.txt)"
for f in 0001 0002 0003 0004 peak.0001 peak.0002 peak.0003 peak.0004 peak; do
  [ -s $f.pb.gz ] || fail "LIBLEAK_PEAK=all: no $f.pb.gz: $(ls)"
done
set -- $(site_values <(gopprof -raw -symbolize=none peak.pb.gz 2>/dev/null) keep_between)
assert_eq 300000 "$4" "LIBLEAK_PEAK=all: keep_between in the peak at exit (3 blocks of 100000)"
echo "ok: LIBLEAK_PEAK=all wrote peak.0001 to peak.0004 beside the snapshots and peak at exit"
cd ..

timeout 30 env LIBLEAK_PEAK=sometimes LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" >out.txt 2>err.txt \
  || fail "LIBLEAK_PEAK=sometimes: hello_alloc failed"
assert_eq 1 "$(wc -l <err.txt)" "LIBLEAK_PEAK=sometimes: lines on stderr ($(cat err.txt))"
assert_contains "$(cat err.txt)" 'LIBLEAK_PEAK="sometimes"' "the message names variable and value"
echo "ok: a bad LIBLEAK_PEAK gets one line"
