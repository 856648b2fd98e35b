#!/bin/bash
# No lock of ours is held while the loader's lock is taken, and fork never waits for a dump:
#  - a library whose constructor forks (inside dlopen, under the loader's lock) is loaded 20
#    times while its constructor's SIGUSR2 has a snapshot in progress: no hang;
#  - fork while a libleak_dump is held up (another thread holds the loader's module-list
#    lock) returns before the dump ends: an ordering, not a time.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog dlopen_fork fork_during_dump
library=$TESTBIN/libfork_ctor.so
[ -f "$library" ] || fail "$library not built (run make test-programs)"

"$TESTBIN/dlopen_fork" "$library" 3 >bare.txt || fail "dlopen_fork fails without the library"
assert_eq "forks 3" "$(cat bare.txt)" "dlopen_fork without the library"

for rate in default 1; do
  envs=(); [ $rate = default ] || envs=(LIBLEAK_RATE=$rate)
  timeout -k 5 60 env "${envs[@]}" LIBLEAK_AT_EXIT=0 LIBLEAK_OUT="snap.$rate.%n.pb.gz" LD_PRELOAD="$LIBLEAK_SO" \
    "$TESTBIN/dlopen_fork" "$library" 20 >out.$rate.txt 2>err.$rate.txt
  rc=$?
  cat err.$rate.txt >&2
  [ $rc = 124 ] || [ $rc = 137 ] && fail "rate $rate: dlopen_fork hung (fork inside dlopen against a dump)"
  assert_eq 0 "$rc" "rate $rate: dlopen_fork exit status"
  assert_eq "forks 20" "$(cat out.$rate.txt)" "rate $rate: dlopen_fork output"
  echo "ok: rate $rate: 20 forks from a constructor during snapshots, no hang"
done

expected='fork_during_dump
fork returned while the loader lock was held 1
profile existed when fork returned 0
dump 0
child 0'
timeout -k 5 60 env LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/fork_during_dump" >out.txt 2>err.txt
rc=$?
cat err.txt >&2
assert_eq 0 "$rc" "fork_during_dump exit status"
assert_eq "$expected" "$(cat out.txt)" "fork_during_dump: fork must not wait for the dump in progress"
[ -s dump.pb.gz ] || fail "the held-up dump wrote no profile"
echo "ok: fork returned while a dump was held up; the dump then finished"
