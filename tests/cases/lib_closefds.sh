#!/bin/bash
# A program that closes every descriptor, then opens its own files (taking the numbers the
# library used) and gets SIGUSR2 and libleak_dump(): its files hold exactly what it wrote, it
# exits 0, and the profiles are written and readable (exact numbers in exact mode).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog closefds; require_go

for rate in default 1; do
  mkdir "closefds_$rate" && cd "closefds_$rate" || exit 1
  envs=(); [ $rate = default ] || envs=(LIBLEAK_RATE=$rate)
  timeout 60 env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/closefds"
  rc=$?
  [ $rc = 124 ] && fail "closefds (rate $rate) hung"
  if [ $rc != 0 ]; then
    for f in data*.txt; do echo "$f: $(cat "$f")"; done
    fail "closefds (rate $rate): exit status $rc (0 = its files intact; 14/15 = a write to or the content of its own files failed, 13 = libleak_dump failed)"
  fi
  files=(libleak.closefds.*.heap.pb.gz)
  [ ${#files[@]} -ge 2 ] && [ -e "${files[0]}" ] || fail "closefds (rate $rate): expected the dump and exit profiles at least, got: $(ls)"
  for f in "${files[@]}"; do pprof_raw "$f" "$f.raw"; done
  if [ $rate = 1 ]; then
    set -- $(site_values "${files[${#files[@]}-1]}.raw" keep_after_close)
    assert_eq "200 819200" "$3 $4" "closefds, exact: keep_after_close in use in the exit profile"
  fi
  echo "ok: closefds (rate $rate): exit 0, files intact, ${#files[@]} readable profiles"
  cd ..
done

