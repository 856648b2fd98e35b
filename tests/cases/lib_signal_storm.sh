#!/bin/bash
# A storm of SIGUSR2 while 8 threads allocate, reallocate and free (some blocks freed by another
# thread): every profile written is whole and readable by pprof, no temporary file is left
# behind, and the program finishes with exactly its normal output and exit status. At any
# rate, the exit profile shows nothing in use at the storm's sites (everything was freed, and
# a sampled block's free takes back exactly what its malloc or realloc added). Also with the
# frame-pointer walker (LIBLEAK_UNWIND=fp).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog storm; require_go

rounds=60
touch go
"$TESTBIN/storm" $rounds wait >expected.txt || fail "storm fails without the library"
rm go

# storm_run NAME SIGNALS ENV...: one run with SIGNALS signals, 50 ms apart, in directory NAME.
storm_run() {
  local name=$1 signals=$2 pid rc i; shift 2
  mkdir "$name"; cd "$name" || exit 1
  env "$@" LIBLEAK_OUT='storm.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/storm" $rounds wait >out.txt 2>err.txt &
  pid=$!
  wait_for_line out.txt started 30 || { kill -9 $pid; fail "$name: storm never started: $(cat err.txt)"; }
  sleep 0.2
  for i in $(seq "$signals"); do
    kill -USR2 $pid || fail "$name: signal $i could not be sent: the program died ($(cat err.txt))"
    sleep 0.05
  done
  sleep 0.5
  kill -0 $pid || fail "$name: the program died during the storm"
  touch go
  finish $pid 60 "$name: storm, after 'go',"
  cat err.txt >&2
  assert_eq 0 "$rc" "$name: exit status"
  assert_eq "$(cat ../expected.txt)" "$(cat out.txt)" "$name: stdout with and without the library"
  local files=(storm.*.pb.gz) f
  [ -e "${files[0]}" ] || fail "$name: no profile written"
  [ ${#files[@]} -ge 2 ] || fail "$name: only ${#files[@]} profile(s) for $signals signals and the exit: ${files[*]}"
  for f in "${files[@]}"; do pprof_raw "$f" "$f.raw"; done
  local stray
  stray=$(ls -A | grep -v -e '^storm\.[0-9]*\.pb\.gz$' -e '\.raw$' -e '\.raw\.err$' -e '^out\.txt$' -e '^err\.txt$' -e '^go$')
  [ -z "$stray" ] || fail "$name: files left behind besides the profiles: $stray"
  local last=${files[${#files[@]}-1]}.raw   # the exit profile: the highest sequence number
  set -- $(site_values "$last" storm_alloc)
  assert_eq "0 0" "$3 $4" "$name: exit profile: storm_alloc's blocks in use after every block was freed"
  set -- $(site_values "$last" storm_grow)
  assert_eq "0 0" "$3 $4" "$name: exit profile: storm_grow's blocks in use"
  [ "$1" -gt 0 ] || fail "$name: exit profile: no allocation recorded from storm_grow"
  echo "ok: $name: ${#files[@]} profiles (of $signals signals + exit), all readable; output unchanged; nothing left in use"
  cd ..
}

storm_run default 20
storm_run fp 20 LIBLEAK_RATE=1 LIBLEAK_UNWIND=fp
storm_run exact 20 LIBLEAK_RATE=1
