#!/bin/bash
# LIBLEAK_MAX_FILES bounds the disk with LIBLEAK_PEAK=all too. Each snapshot then has a
# peak.NNNN beside it; those were neither counted nor removed, so a service left running with
# LIBLEAK_INTERVAL, LIBLEAK_PEAK=all and LIBLEAK_MAX_FILES=50 still filled the disk with one
# peak file per snapshot, forever. A snapshot removed by LIBLEAK_MAX_FILES now takes its
# peak.NNNN with it: the files left are the snapshots kept, their peaks, and the peak at exit.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog dump_many

timeout 60 env LIBLEAK_MAX_FILES=3 LIBLEAK_PEAK=all LIBLEAK_RATE=1 LIBLEAK_OUT='snap.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" \
  "$TESTBIN/dump_many" 10 >out.txt 2>err.txt || fail "dump_many failed: $(cat err.txt)"
[ -s err.txt ] && fail "unexpected stderr: $(cat err.txt)"
assert_eq "snap.0001.pb.gz snap.0010.pb.gz snap.0011.pb.gz snap.peak.0001.pb.gz snap.peak.0010.pb.gz snap.peak.0011.pb.gz snap.peak.pb.gz" \
  "$(echo snap.*.pb.gz)" "files left with LIBLEAK_MAX_FILES=3 LIBLEAK_PEAK=all"
echo "ok: LIBLEAK_MAX_FILES=3 LIBLEAK_PEAK=all left $(echo snap.*.pb.gz)"
