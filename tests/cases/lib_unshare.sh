#!/bin/bash
# A single-threaded program can enter a user namespace under the library (the kernel refuses
# unshare(CLONE_NEWUSER) to a process with more than one thread): `unshare -U -r id`, and a C
# program that calls unshare(CLONE_NEWUSER) (through the libc wrapper, and through
# syscall(2)), then setns into a mount namespace (also refused to a multi-threaded process),
# and then still gets its snapshots by signal and by libleak_dump.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog unshare_user; require_go

command -v unshare >/dev/null || skip "unshare(1) (util-linux) not installed"
bare=$(unshare -U -r id -u 2>&1) || skip "this sandbox forbids user namespaces even without the library: $bare"
assert_eq 0 "$bare" "unshare -U -r id -u without the library"

got=$(LD_PRELOAD="$LIBLEAK_SO" LIBLEAK_OUT='id.%p.%n.pb.gz' timeout 30 unshare -U -r id -u 2>&1)
assert_eq "0" "$got" "unshare -U -r id -u under the library"

for how in wrapper syscall; do
  mkdir $how && cd $how || exit 1
  timeout 60 env LIBLEAK_OUT='snap.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/unshare_user" "$PWD/snap.0001.pb.gz" $how \
    >out.txt 2>err.txt
  rc=$?
  cat err.txt >&2
  assert_eq 0 "$rc" "unshare_user $how: exit status ($(cat out.txt))"
  bare=$("$TESTBIN/unshare_user" /nonexistent $how 2>&1 | head -n 2)
  assert_eq "$(printf 'unshare 0\nsetns 0')" "$bare" "unshare_user $how without the library"
  assert_eq "$(printf 'unshare 0\nsetns 0\nsignal snapshot 1\ndump 0')" "$(cat out.txt)" "unshare_user $how: output"
  for f in snap.0001.pb.gz snap.0002.pb.gz snap.0003.pb.gz; do
    [ -e $f ] || fail "$how: no $f: $(ls)"
    pprof_raw $f $f.raw
  done
  cd ..
done
echo "ok: unshare -U -r id and unshare(CLONE_NEWUSER) under the library; snapshots by signal, libleak_dump and at exit after it"
