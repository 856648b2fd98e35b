#!/bin/bash
# A program that closes every descriptor above 2 (close_range(3, ~0)) while a profile is being
# written, then opens a file of its own on the freed number, keeps its file (issue 19 item 1):
# libleak never writes gzip bytes into it, never links it under a profile's name and never
# closes it. Snapshots on SIGUSR2 (the dumper thread) and the exit profile, with a thread of
# the program doing the same meanwhile; exact mode and the default rate. Run bare first: the
# same output, the same files, one link each.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog fd_reuse_victim

# check_own_files DIR WHAT: the program's files hold only its lines, with one link each.
check_own_files() {
  local f
  for f in "$1/mine.txt" "$1/mine_at_exit.txt"; do
    [ -f "$f" ] || fail "$2: $f missing"
    assert_eq 1 "$(stat -c %h "$f")" "$2: links of $(basename "$f")"
    assert_eq 0 "$(grep -cv "^the program's own line\$" "$f")" "$2: foreign lines in $(basename "$f")"
  done
}

mkdir bare && (cd bare && timeout 60 "$TESTBIN/fd_reuse_victim" 2 >out.txt 2>err.txt)
assert_eq 0 $? "bare: exit status"
assert_contains "$(cat bare/out.txt)" "violations 0 " "bare"
assert_eq "" "$(cat bare/err.txt)" "bare: stderr"
check_own_files bare bare

# "dump": libleak_dump(NULL) called by the program's main thread, again and again, while
# another of its threads does the rounds: the dump runs on a thread of ours with a table of
# its own (dump.c), not on the caller's thread in the program's table.
for settings in "LIBLEAK_RATE=1" "" "LIBLEAK_RATE=1 dump" "dump"; do
  dir="run_$(echo "${settings:-default}" | tr ' =' '__')"
  mkdir "$dir" && cd "$dir" || exit 1
  mode=; case $settings in *dump) mode=dump; settings=${settings%dump} ;; esac
  timeout 60 env $settings LIBLEAK_OUT='snap.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" \
    "$TESTBIN/fd_reuse_victim" 2 $mode >out.txt 2>err.txt
  rc=$?
  what="under libleak (${settings:-default rate}${mode:+, libleak_dump on a program thread})"
  assert_eq 0 "$rc" "$what: exit status"
  assert_contains "$(cat out.txt)" "violations 0 " "$what: the program's checks ($(head -c 300 err.txt))"
  assert_eq "" "$(cat err.txt)" "$what: stderr"
  check_own_files . "$what"
  profiles=(snap.*.pb.gz)
  [ ${#profiles[@]} -ge 5 ] || fail "$what: only ${#profiles[@]} profiles written"
  assert_eq "" "$(stat -c '%h %n' "${profiles[@]}" | grep -v '^1 ')" "$what: profiles with more than one link"
  for p in "${profiles[@]}"; do
    LC_ALL=C IFS= read -r -d '' -N 2 magic <"$p"
    [ "$magic" = $'\x1f\x8b' ] || fail "$what: $p is not gzip"
  done
  echo "ok: $what: $(cat out.txt), ${#profiles[@]} profiles, the program's files untouched"
  cd ..
done
