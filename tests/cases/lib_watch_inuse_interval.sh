#!/bin/bash
# LIBLEAK_INUSE_INTERVAL=10m on a program whose leak climbs steadily to 80 MiB: a series of
# ordinary snapshots, one per 10 MiB of growth (7 or 8, a little fewer when the dumper is
# starved on a loaded machine, a little more at the default rate, whose estimate may run
# high), each bigger than the one before, whole, and `leakprof growth` ranks the leaking
# function first. At the default rate and in exact mode.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog grow_steady

inuse_bytes() { "$LEAKPROF" info "$1" | sed -n 's/^Total inuse_space .*(\([0-9]*\))$/\1/p'; }

for rate in default 1; do
  mkdir "rate$rate" && cd "rate$rate" || exit 1
  envs=(LIBLEAK_INUSE_INTERVAL=10m LIBLEAK_AT_EXIT=0 LIBLEAK_SIGNAL=none LIBLEAK_OUT='grow.%n.pb.gz')
  [ $rate = default ] || envs+=(LIBLEAK_RATE=$rate)
  timeout 60 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/grow_steady" 80 >out.txt 2>err.txt \
    || fail "rate $rate: grow_steady failed: $(cat err.txt)"
  [ -s err.txt ] && fail "rate $rate: unexpected stderr: $(cat err.txt)"
  files=(grow.*.pb.gz)
  [ -e "${files[0]}" ] || fail "rate $rate: no snapshot at all"
  if [ $rate = default ]; then low=5 high=9; else low=6 high=8; fi
  [ ${#files[@]} -ge $low ] && [ ${#files[@]} -le $high ] \
    || fail "rate $rate: ${#files[@]} snapshots for 80 MiB of growth at 10 MiB each (expected $low to $high): ${files[*]}"
  previous=0 k=0
  for f in "${files[@]}"; do
    k=$((k + 1))
    bytes=$(inuse_bytes "$f")
    [ -n "$bytes" ] || fail "rate $rate: leakprof cannot read $f"
    [ "$bytes" -gt "$previous" ] || fail "rate $rate: $f holds $bytes bytes in use, not more than the one before ($previous)"
    # exact mode: snapshot k is taken once the total has grown k times by 10 MiB (it may have
    # grown more by the time the file is written, and a churn block in flight may be gone)
    [ $rate = default ] || [ "$bytes" -ge $((k * 10485760 - 1048576)) ] \
      || fail "rate $rate: snapshot $k ($f) holds $bytes bytes, less than $k times 10 MiB"
    previous=$bytes
  done
  top=$("$LEAKPROF" growth "${files[@]}" | sed -n '/^    growth  steps/{n;p;q}')
  assert_contains "$top" "leak_steadily" "rate $rate: the first suspect of leakprof growth"
  echo "ok: rate $rate: ${#files[@]} growing snapshots, the last with $previous bytes; growth's first suspect: $top"
  cd ..
done

for value in lots -5; do
  timeout 30 env LIBLEAK_INUSE_INTERVAL=$value LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" >out.txt 2>err.txt \
    || fail "LIBLEAK_INUSE_INTERVAL=$value: hello_alloc failed"
  assert_eq 1 "$(wc -l <err.txt)" "LIBLEAK_INUSE_INTERVAL=$value: lines on stderr ($(cat err.txt))"
  assert_contains "$(cat err.txt)" "LIBLEAK_INUSE_INTERVAL=\"$value\"" "LIBLEAK_INUSE_INTERVAL=$value: the message"
done
echo "ok: bad LIBLEAK_INUSE_INTERVAL values get one line each"
