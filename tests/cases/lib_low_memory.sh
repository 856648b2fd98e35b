#!/bin/bash
# Under an address-space limit (ulimit -v) that a small program fits in easily, libleak may
# have to give up tracking or writing a profile, but it must not crash the program or change
# its exit status or output: hello_alloc (a few MB) is run under limits from 60 to 240 MB (every
# 5 MB between 100 and 160 MB, where libleak's own needs run out), three
# times each, at the default rate and in exact mode.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hello_alloc

"$TESTBIN/hello_alloc" >expected.txt
bad=""
for limit in 60000 80000 $(seq 100000 5000 160000) 200000 240000; do
  (ulimit -v $limit; "$TESTBIN/hello_alloc" >/dev/null 2>&1) || continue   # too small even without libleak
  for rate in default 1; do
    envs=(); [ $rate = default ] || envs=(LIBLEAK_RATE=$rate)
    for run in 1 2 3; do
      out=limit$limit.$rate.$run
      (ulimit -v $limit; exec env "${envs[@]}" LIBLEAK_OUT="$out.pb.gz" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" >"$out.out" 2>"$out.err")
      rc=$?
      if [ $rc != 0 ] || ! cmp -s expected.txt "$out.out"; then
        bad="$bad
  ulimit -v $limit, LIBLEAK_RATE=$rate, run $run: exit status $rc; stderr: $(head -c 200 "$out.err" | tr '\n' ' ')"
      fi
    done
  done
done
[ -z "$bad" ] || fail "the program was crashed or changed under an address-space limit:$bad"
echo "ok: no crash, exit status 0 and unchanged output under every limit"
