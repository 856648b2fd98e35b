#!/bin/bash
# The system-call audit of the allocation path (issue 19, item 2). seccomp_malloc's three
# threads each install an allow-list of what glibc's malloc uses (anything else kills the
# process with SIGSYS), then allocate and free 10^6 blocks; the workers' first samples are taken
# under the filter. It must run bare (the filter itself is right), at the default rate and in
# exact mode, with the same stdout and exit status 0. Then, held under the filter, the program
# gets the snapshot signal and the dumper (not filtered: the library's own thread) writes what
# the allocation path recorded: whole stacks, down to _start and __clone3, none left short, and
# in exact mode every allocation counted.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog seccomp_malloc
LEAKPROF="$LIBLEAK_ROOT/build/leakprof"
expected="1000000 allocations under the filter, checksum 250113056"

timeout 60 "$TESTBIN/seccomp_malloc" >bare.out 2>bare.err
rc=$?
assert_eq 0 "$rc" "exit status bare (159 = killed by the filter: glibc's malloc needs a call the list lacks)"
assert_eq "$expected" "$(cat bare.out)" "stdout bare"

for rate in default 1; do
  envs=(LIBLEAK_OUT=unused.%n.pb.gz)
  [ $rate = default ] || envs+=(LIBLEAK_RATE=$rate)
  timeout 60 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/seccomp_malloc" >$rate.out 2>$rate.err
  rc=$?
  cat $rate.err >&2
  assert_eq 0 "$rc" "exit status at rate $rate (159 = killed by SIGSYS: a system call on the allocation path)"
  assert_eq "$(cat bare.out)" "$(cat $rate.out)" "stdout at rate $rate"
  assert_eq "" "$(cat $rate.err)" "stderr at rate $rate"
  echo "ok: rate $rate: survived the filter, stdout as bare"

  # Held under the filter: a snapshot of what was recorded there.
  env "${envs[@]}" LIBLEAK_OUT=held$rate.%n.pb.gz LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/seccomp_malloc" hold \
    >held$rate.out 2>held$rate.err &
  pid=$!
  wait_for_line held$rate.out checksum 60 || { kill -9 $pid; fail "rate $rate: held run never finished its loop ($(cat held$rate.err))"; }
  kill -USR2 $pid || fail "rate $rate: the held program is gone"
  wait_for_file "held$rate.*.pb.gz" 30 $pid || { kill -9 $pid; fail "rate $rate: no snapshot within 30 s of SIGUSR2"; }
  kill -0 $pid 2>/dev/null || fail "rate $rate: the snapshot signal's handler killed the filtered program"
  kill -9 $pid; wait $pid 2>/dev/null
  file=$(ls held$rate.*.pb.gz | head -n 1)
  "$LEAKPROF" folded --sample-index alloc_objects "$file" >held$rate.txt || fail "leakprof folded $file"
  comment=$(gzip -dc "$file" | tr -c '[:print:]' '\n' | grep -o 'unwinding (.*left short')
  cat held$rate.txt >&2
  worker=$(awk '$1 == "__clone3;start_thread;worker;churn" {print $2}' held$rate.txt)
  main=$(awk '$1 == "_start;__libc_start_main_impl;__libc_start_call_main;main;churn" {print $2}' held$rate.txt)
  [ -n "$worker" ] && [ "$worker" -gt 0 ] || fail "rate $rate: no whole worker stack captured under the filter"
  [ -n "$main" ] && [ "$main" -gt 0 ] || fail "rate $rate: no whole main stack captured under the filter"
  assert_contains "$comment" ", 0 left short" "rate $rate: stacks cut short under the filter"
  if [ $rate = 1 ]; then
    # 4 rounds make 5 allocations (two reallocs); 400000 rounds in main, 300000 in each worker.
    assert_eq 500000 "$main" "exact mode: allocations of main's loop"
    assert_eq 750000 "$worker" "exact mode: allocations of the workers' loops"
  fi
  echo "ok: rate $rate: main;churn $main, worker;churn $worker, $comment"
done
