#!/bin/bash
# Good LIBLEAK_* values take effect, silently: the rate with binary k/m/g suffixes (the
# profile's period), 0 (tracking off, program unchanged), LIBLEAK_DEPTH (no stack deeper),
# LIBLEAK_SIGNAL=USR1 and a signal number, LIBLEAK_AT_EXIT=0/1.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hello_alloc snapshot_target; require_go

"$TESTBIN/hello_alloc" >expected.txt

# in_dir NAME ENV...: runs hello_alloc under the library in a new directory NAME.
in_dir() {
  local dir=$1; shift
  mkdir "$dir"
  (cd "$dir" && timeout 30 env "$@" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" >out.txt 2>err.txt) \
    || fail "$*: hello_alloc failed: $(cat "$dir/err.txt")"
  assert_eq "$(cat expected.txt)" "$(cat "$dir/out.txt")" "$*: stdout"
  [ ! -s "$dir/err.txt" ] || fail "$*: a good value printed on stderr: $(cat "$dir/err.txt")"
}

for pair in 64k:65536 1m:1048576 1g:1073741824 4096:4096 1:1 2K:2048; do
  value=${pair%%:*} period=${pair#*:}
  in_dir "rate_$value" LIBLEAK_RATE=$value LIBLEAK_OUT=p.pb.gz
  pprof_raw "rate_$value/p.pb.gz" "rate_$value/p.raw"
  grep -q "^Period: $period\$" "rate_$value/p.raw" \
    || fail "LIBLEAK_RATE=$value: expected Period: $period, got: $(grep '^Period' "rate_$value/p.raw")"
  echo "ok: LIBLEAK_RATE=$value -> period $period"
done

# libleak_rate() answers the rate in effect.
for pair in 64k:65536 1:1 0:0 default:524288 abc:524288; do
  value=${pair%%:*} want=${pair#*:}
  envs=(LIBLEAK_AT_EXIT=0); [ $value = default ] || envs+=(LIBLEAK_RATE=$value)
  got=$(timeout 30 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" --rate 2>&1 >/dev/null | sed -n 's/^hello_alloc: libleak_rate() = //p')
  assert_eq "$want" "$got" "libleak_rate() with LIBLEAK_RATE=$value"
done
echo "ok: libleak_rate() follows LIBLEAK_RATE"

in_dir rate_0 LIBLEAK_RATE=0 LIBLEAK_OUT=p.pb.gz
if [ -e rate_0/p.pb.gz ]; then
  pprof_raw rate_0/p.pb.gz rate_0/p.raw
  set -- $(site_values rate_0/p.raw "")
  assert_eq "0 0" "$1 $2" "LIBLEAK_RATE=0 (tracking off): allocations recorded"
fi
echo "ok: LIBLEAK_RATE=0 runs unchanged and records nothing"

for depth in 1 3; do
  in_dir "depth_$depth" LIBLEAK_RATE=1 LIBLEAK_DEPTH=$depth LIBLEAK_OUT=p.pb.gz
  pprof_raw "depth_$depth/p.pb.gz" "depth_$depth/p.raw"
  deepest=$(awk '/^Samples:/ { s = 1; getline; next } /^Locations/ { s = 0 }
                 s && /^ *[0-9].*:/ { c = index($0, ":"); n = split(substr($0, c + 1), ids, " "); if (n > m) m = n }
                 END { print m + 0 }' "depth_$depth/p.raw")
  [ "$deepest" -ge 1 ] && [ "$deepest" -le "$depth" ] \
    || fail "LIBLEAK_DEPTH=$depth: the deepest stack has $deepest frames"
  echo "ok: LIBLEAK_DEPTH=$depth -> deepest stack $deepest frames"
done
in_dir depth_256 LIBLEAK_RATE=1 LIBLEAK_DEPTH=256 LIBLEAK_OUT=p.pb.gz
pprof_raw depth_256/p.pb.gz depth_256/p.raw
set -- $(site_values depth_256/p.raw hello_keep)
assert_eq "100 100000" "$3 $4" "LIBLEAK_DEPTH=256, exact: hello_keep in use"

in_dir at_exit_0 LIBLEAK_AT_EXIT=0
[ -z "$(ls at_exit_0 | grep pb.gz)" ] || fail "LIBLEAK_AT_EXIT=0 still wrote: $(ls at_exit_0)"
in_dir at_exit_1 LIBLEAK_AT_EXIT=1
ls at_exit_1 | grep -q '^libleak\.hello_alloc\.[0-9]*\.[0-9]\{4\}\.heap\.pb\.gz$' \
  || fail "LIBLEAK_AT_EXIT=1: no exit profile under the default name: $(ls at_exit_1)"
echo "ok: LIBLEAK_AT_EXIT=0 writes nothing, =1 writes the exit profile"

# LIBLEAK_SIGNAL=USR1 and =10 (SIGUSR1's number): SIGUSR1 makes a snapshot.
for sig in USR1 10; do
  mkdir "signal_$sig"; cd "signal_$sig" || exit 1
  SNAP_SIGNAL=USR1 snapshot_and_exit 'snap.%n.pb.gz' LIBLEAK_SIGNAL=$sig LIBLEAK_AT_EXIT=0
  files=(snap.*.pb.gz)
  assert_eq 1 "${#files[@]}" "LIBLEAK_SIGNAL=$sig: snapshots after one SIGUSR1 (no exit profile)"
  pprof_raw "${files[0]}" snap.raw
  [ ! -s target.err ] || fail "LIBLEAK_SIGNAL=$sig printed: $(cat target.err)"
  echo "ok: LIBLEAK_SIGNAL=$sig: SIGUSR1 wrote ${files[0]}"
  cd ..
done

# LIBLEAK_SIGNAL=none installs no handler (SigCgt in /proc/PID/status); the default catches USR2.
# caught_signals ENV...: sets mask to the SigCgt mask of snapshot_target under the library.
caught_signals() {
  rm -rf sigcgt; mkdir sigcgt; cd sigcgt || exit 1
  env "$@" LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/snapshot_target" >target.out 2>&1 &
  local pid=$!
  wait_for_line target.out ready 30 || { kill -9 $pid; fail "snapshot_target ($*) never became ready"; }
  mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' /proc/$pid/status)
  touch go
  finish $pid 30 "snapshot_target ($*)"
  cd ..
  [ -n "$mask" ] || fail "no SigCgt line for snapshot_target ($*)"
}
usr2_bit() { echo $(( (16#$1 >> 11) & 1 )); }   # SIGUSR2 = 12: bit 11
usr1_bit() { echo $(( (16#$1 >> 9) & 1 )); }    # SIGUSR1 = 10: bit 9
caught_signals
assert_eq 1 "$(usr2_bit "$mask")" "default: SIGUSR2 caught (SigCgt $mask)"
caught_signals LIBLEAK_SIGNAL=none
assert_eq "0 0" "$(usr2_bit "$mask") $(usr1_bit "$mask")" "LIBLEAK_SIGNAL=none: neither USR1 nor USR2 caught (SigCgt $mask)"
caught_signals LIBLEAK_SIGNAL=USR1
assert_eq "0 1" "$(usr2_bit "$mask") $(usr1_bit "$mask")" "LIBLEAK_SIGNAL=USR1: only USR1 caught (SigCgt $mask)"
echo "ok: LIBLEAK_SIGNAL=none installs no handler; USR1 replaces USR2"
