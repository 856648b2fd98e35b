#!/bin/bash
# LIBLEAK_NEAR_LIMIT (default 90): a program under ulimit -d that leaks (hoard_memory) until
# malloc fails and then kills itself with SIGKILL, as the out-of-memory killer would, leaves a
# whole near-limit profile (%n = nearlimit) that names the leaking function and says which limit
# and how close; the further steps (95 %, 99 %) get nearlimit.2 and nearlimit.3. With
# LIBLEAK_NEAR_LIMIT=0 nothing is written. At the default rate and in exact mode.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hoard_until_oom hello_alloc

# KiB of data segment: libleak and the program's start take ~16 MiB of it. The names come from
# the symbol cache, warmed while usage is past 45 % with 256 MiB still free (libdw must never
# run short: memory_limits.h): 700 MB leaves that window (315 to 444 MB) about a second wide
# at this program's pace of 128 MB/s, even on a loaded machine.
limit=700000
for rate in default 1; do
  mkdir "rate$rate" && cd "rate$rate" || exit 1
  envs=(LIBLEAK_OUT='%n.pb.gz')
  [ $rate = default ] || envs+=(LIBLEAK_RATE=$rate)
  # The program waits (at most 20 s) for nearlimit.pb.gz before its SIGKILL: the test does
  # not depend on how fast this machine is; the file must then be whole.
  (ulimit -d $limit; exec env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hoard_until_oom" nearlimit.pb.gz >out.txt 2>err.txt)
  rc=$?
  assert_eq 137 "$rc" "rate $rate: exit status (SIGKILL) of hoard_until_oom; stderr: $(cat err.txt)"
  [ -s nearlimit.pb.gz ] || fail "rate $rate: no near-limit profile after the SIGKILL: $(ls)"
  compgen -G '.*.tmp' >/dev/null && fail "rate $rate: a temporary file was left: $(ls -a)"
  "$LEAKPROF" info nearlimit.pb.gz >info.txt 2>info.err || fail "rate $rate: leakprof cannot read nearlimit.pb.gz: $(cat info.err)"
  grep -q 'near limit: RLIMIT_DATA (ulimit -d) is [0-9]* bytes, [0-9]* in use (9[0-9]\.[0-9] %), past the 90 % step' info.txt \
    || fail "rate $rate: the comments do not say which limit and how close: $(grep -i limit info.txt)"
  top=$("$LEAKPROF" top -n 1 nearlimit.pb.gz) || fail "rate $rate: leakprof top failed"
  assert_contains "$top" "hoard_memory" "rate $rate: the first function of the near-limit profile"
  for f in nearlimit*.pb.gz; do "$LEAKPROF" info "$f" >/dev/null || fail "rate $rate: $f is not whole"; done
  echo "ok: rate $rate: $(ls nearlimit*.pb.gz | tr '\n' ' ')after $(cat out.txt) MiB; $(grep 'near limit' info.txt)"
  cd ..
done

mkdir off && cd off || exit 1
(ulimit -d 60000; exec env LIBLEAK_NEAR_LIMIT=0 LIBLEAK_OUT='%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hoard_until_oom" >out.txt 2>err.txt)
assert_eq 137 "$?" "LIBLEAK_NEAR_LIMIT=0: exit status of hoard_until_oom"
compgen -G 'nearlimit*' >/dev/null && fail "LIBLEAK_NEAR_LIMIT=0 wrote $(ls nearlimit*)"
echo "ok: LIBLEAK_NEAR_LIMIT=0 writes nothing"
cd ..

for value in 100 ninety -1; do
  timeout 30 env LIBLEAK_NEAR_LIMIT=$value LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" >out.txt 2>err.txt \
    || fail "LIBLEAK_NEAR_LIMIT=$value: hello_alloc failed"
  assert_eq 1 "$(wc -l <err.txt)" "LIBLEAK_NEAR_LIMIT=$value: lines on stderr ($(cat err.txt))"
  assert_contains "$(cat err.txt)" "LIBLEAK_NEAR_LIMIT=\"$value\"" "LIBLEAK_NEAR_LIMIT=$value: the message"
done
echo "ok: bad LIBLEAK_NEAR_LIMIT values get one line each"
