#!/bin/bash
# Programs that make life hard for the library are not crashed, hung or changed by it:
# - stderr closed (2>&-), with a bad LIBLEAK_* value and an output path that fails, while the
#   program writes its own file on the descriptor that was stderr: the file stays the program's;
# - a program that closes every descriptor, then opens its own files (taking the numbers the
#   library used) and gets SIGUSR2 and libleak_dump(): its files hold exactly what it wrote;
# - a program that blocks every signal and is sent SIGUSR2: no hang, normal exit.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hello_alloc closefds sigblock; require_go

# 1. stderr closed.
"$TESTBIN/hello_alloc" --exit 5 >expected.txt
mkdir closed_stderr && cd closed_stderr || exit 1
timeout 30 env LIBLEAK_RATE=abc LIBLEAK_OUT=/nonexistent/dir/x.%p.pb.gz LD_PRELOAD="$LIBLEAK_SO" \
  "$TESTBIN/hello_alloc" --open mine.txt --dump - --exit 5 >out.txt 2>&-
rc=$?
assert_eq 5 "$rc" "stderr closed: exit status"
assert_eq "$(cat ../expected.txt)" "$(cat out.txt)" "stderr closed: stdout"
assert_eq "program data" "$(cat mine.txt)" "stderr closed: the file the program opened on descriptor 2"
echo "ok: stderr closed: exit 5, stdout unchanged, the program's file on fd 2 untouched"
cd ..

# 2. A program that closes all its descriptors.
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

# 3. A program that blocks every signal.
mkdir sigblock && cd sigblock || exit 1
LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/sigblock" >out.txt 2>err.txt &
pid=$!
wait_for_line out.txt ready 30 || { kill -9 $pid; fail "sigblock never became ready"; }
for i in 1 2 3; do kill -USR2 $pid || fail "sigblock died from SIGUSR2 $i"; sleep 0.1; done
touch go
wait_exit $pid 30 || { kill -9 $pid; fail "sigblock hung after SIGUSR2 (blocked everywhere)"; }
wait $pid; rc=$?
assert_eq 0 "$rc" "sigblock: exit status"
assert_eq "$(printf 'ready\ndone')" "$(cat out.txt)" "sigblock: stdout"
ls libleak.sigblock.*.heap.pb.gz >/dev/null 2>&1 || fail "sigblock: no exit profile"
echo "ok: sigblock: signals blocked, no hang, exit 0"
