#!/bin/bash
# Standard descriptors closed (stderr only, as 2>&-, and all three, as a daemon): while
# snapshots are written (libleak_dump and SIGUSR2), every write to and read from a closed
# number fails with EBADF as it does without the library, nothing of ours is left on 0-2, and
# every profile is whole.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog closed_std; require_go

"$TESTBIN/closed_std" bare.txt 2 20 || fail "closed_std fails without the library"
assert_eq "violations 0" "$(cut -d' ' -f1-2 bare.txt)" "without the library"

for fds in 2 012; do
  mkdir "closed_$fds" && cd "closed_$fds" || exit 1
  timeout 60 env LIBLEAK_OUT='snap.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/closed_std" report.txt $fds 40 \
    </dev/null >out.txt 2>err.txt
  rc=$?
  assert_eq 0 "$rc" "fds $fds closed: exit status"
  set -- $(cat report.txt)
  [ "$6" -ge 40 ] || fail "fds $fds closed: only $6 of 40 libleak_dump calls wrote a profile: $(cat report.txt)"
  assert_eq 0 "$2" "fds $fds closed: calls on a closed descriptor that did not fail with EBADF (of $4)"
  files=(snap.*.pb.gz)
  [ ${#files[@]} -ge 41 ] || fail "fds $fds closed: ${#files[@]} profiles, expected at least 41"
  for f in "${files[@]}"; do pprof_raw "$f" "$f.raw"; done
  echo "ok: fds $fds closed: $4 calls all EBADF, ${#files[@]} profiles readable"
  cd ..
done
