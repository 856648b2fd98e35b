#!/bin/bash
# Profiles on disk:
#  - created 0600 whatever the umask (they hold the memory layout and paths), as core files
#    are; LIBLEAK_MODE widens it explicitly, a bad value gets the one-line message;
#  - a legal 245-character program name with LIBLEAK_OUT=%e.%n: the profile is written (the
#    temporary name must not be longer than the final one);
#  - threads calling exit() at once: no temporary file is left behind;
#  - the same mode and long name on the fallback path (no O_TMPFILE: a short temporary name
#    renamed into place), forced by tests/libraries/no_tmpfile.c.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hello_alloc exit_race; require_go
no_tmpfile=$TESTBIN/libno_tmpfile.so
[ -f "$no_tmpfile" ] || fail "$no_tmpfile not built (run make test-programs)"

mkdir umask0 && cd umask0 || exit 1
(umask 0; LIBLEAK_OUT=p.pb.gz LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" --dump d.pb.gz >out.txt 2>err.txt)
assert_eq 0 "$?" "umask 0: exit status"
for f in p.pb.gz d.pb.gz; do
  [ -e $f ] || fail "umask 0: no $f: $(ls -a)"
  assert_eq 600 "$(stat -c %a $f)" "umask 0: mode of $f"
done
(umask 0; LIBLEAK_MODE=0640 LIBLEAK_OUT=wide.pb.gz LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" >out.txt 2>err.txt)
assert_eq 640 "$(stat -c %a wide.pb.gz)" "umask 0, LIBLEAK_MODE=0640: mode"
[ ! -s err.txt ] || fail "LIBLEAK_MODE=0640 printed: $(cat err.txt)"
for value in abc 0800 1777 -1; do
  (umask 0; LIBLEAK_MODE=$value LIBLEAK_OUT=bad.pb.gz LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" >out.txt 2>err.txt)
  assert_eq 1 "$(wc -l <err.txt)" "LIBLEAK_MODE=$value: lines on stderr ($(cat err.txt))"
  assert_contains "$(cat err.txt)" "LIBLEAK_MODE=\"$value\"" "LIBLEAK_MODE=$value: the message"
  assert_contains "$(cat err.txt)" "using 0600" "LIBLEAK_MODE=$value: the fallback"
  assert_eq 600 "$(stat -c %a bad.pb.gz)" "LIBLEAK_MODE=$value: mode"
  rm bad.pb.gz
done
echo "ok: umask 0 -> 0600; LIBLEAK_MODE=0640 -> 0640; bad values refused"
cd ..

mkdir long && cd long || exit 1
name=$(printf 'p%.0s' $(seq 245))
cp "$TESTBIN/hello_alloc" "./$name"
LIBLEAK_OUT='%e.%n' LD_PRELOAD="$LIBLEAK_SO" "./$name" >out.txt 2>err.txt
assert_eq 0 "$?" "245-character name: exit status"
[ -e "$name.0001" ] || fail "245-character name: no profile $name.0001 ($(cat err.txt))"
pprof_raw "$name.0001" long.raw
[ ! -s err.txt ] || fail "245-character name: stderr: $(cat err.txt)"
echo "ok: a 245-character program name gets its ${#name}+5-character profile"
cd ..

mkdir race && cd race || exit 1
for i in $(seq 30); do
  timeout 30 env LIBLEAK_RATE=1 LIBLEAK_OUT="exit.$i.pb.gz" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/exit_race" 8 2>>err.txt
  rc=$?
  assert_eq 0 "$rc" "exit_race run $i: exit status"
done
left=$(ls -A | grep -v '^exit\.[0-9]*\.pb\.gz$' | grep -v '^err.txt$' || true)
[ -z "$left" ] || fail "files left behind by exits racing the exit profile: $left"
profiles=$(ls exit.*.pb.gz 2>/dev/null | wc -l)
for f in exit.*.pb.gz; do [ -e "$f" ] && pprof_raw "$f" "$f.raw"; done
echo "ok: 30 runs of 8 threads calling exit() at once: no temporary file left ($profiles exit profiles finished before another thread's exit ended the process)"

mkdir fallback && cd fallback || exit 1
name=$(printf 'q%.0s' $(seq 245))
cp "$TESTBIN/hello_alloc" "./$name"
(umask 0; LIBLEAK_OUT='%e.%n' LD_PRELOAD="$no_tmpfile $LIBLEAK_SO" "./$name" --dump d.pb.gz >out.txt 2>err.txt)
assert_eq 0 "$?" "no O_TMPFILE: exit status"
! grep -q '^libleak:' err.txt || fail "no O_TMPFILE: libleak said: $(cat err.txt)"
for f in "$name.0001" d.pb.gz; do
  [ -e "$f" ] || fail "no O_TMPFILE: no ${f:0:20}...: $(ls -A | cut -c1-40)"
  assert_eq 600 "$(stat -c %a "$f")" "no O_TMPFILE, umask 0: mode of ${f:0:20}..."
  pprof_raw "$f" fallback.raw
done
left=$(ls -A | grep -v -x -e "$name" -e "$name.0001" -e d.pb.gz -e out.txt -e err.txt -e fallback.raw -e fallback.raw.err || true)
[ -z "$left" ] || fail "no O_TMPFILE: files left behind: $left"
echo "ok: without O_TMPFILE: a 245-character name's profile and libleak_dump's, 0600, no temporary file left"
