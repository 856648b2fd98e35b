#!/bin/bash
# When a profile cannot be written whole — a full file system (a tiny tmpfs, when we may mount
# one) or a file-size limit (ulimit -f, whose SIGXFSZ would kill a process that writes past it)
# — the program runs on: exit status and stdout unchanged, a message, libleak_dump() fails
# with the errno, and no half-written or temporary file is left behind.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hello_alloc

"$TESTBIN/hello_alloc" --exit 3 >expected.txt
only_fill() {  # only_fill DIR: nothing but the filler file in DIR
  local stray
  stray=$(ls -A "$1" | grep -v '^fill$')
  [ -z "$stray" ] || fail "$1: files left behind: $stray"
}

# 1. A full file system.
mkdir full
if mount -t tmpfs -o size=8k tmpfs full 2>/dev/null; then
  trap 'umount "$TEST_TMP/full" 2>/dev/null' EXIT
  dd if=/dev/zero of=full/fill bs=1k count=64 2>/dev/null
  timeout 30 env LIBLEAK_OUT=full/x.%n.pb.gz LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" --dump - --exit 3 >out.txt 2>err.txt
  rc=$?
  assert_eq 3 "$rc" "full file system: exit status"
  assert_eq "$(cat expected.txt)" "$(cat out.txt)" "full file system: stdout"
  grep -q 'libleak_dump(-) = -1 errno=28 ' err.txt || fail "full file system: libleak_dump(NULL) should fail with ENOSPC: $(cat err.txt)"
  only_fill full
  echo "ok: full file system: $(grep "^libleak:" err.txt | head -n 1)"
  umount full; trap - EXIT
else
  echo "note: cannot mount a tmpfs here; the full-file-system case is not run"
fi

# 2. A file-size limit smaller than any profile (1 KiB): no SIGXFSZ death, no partial file.
# Every block sampled (LIBLEAK_RATE=1): a process that sampled nothing writes an empty exit
# profile of about 600 bytes, which fits.
mkdir limited
(cd limited && ulimit -f 1 && exec timeout 30 env LIBLEAK_RATE=1 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" --dump - --exit 3 >out.txt 2>err.txt)
rc=$?
[ $rc = 153 ] && fail "file-size limit: the program was killed by SIGXFSZ (exit status 153); stdout: '$(cat limited/out.txt)'; files: $(ls -A limited | tr '\n' ' ')"
assert_eq 3 "$rc" "file-size limit: exit status"
assert_eq "$(cat expected.txt)" "$(cat limited/out.txt)" "file-size limit: stdout"
grep -q 'libleak_dump(-) = -1 errno=27 ' limited/err.txt || fail "file-size limit: libleak_dump(NULL) should fail with EFBIG: $(cat limited/err.txt)"
stray=$(ls -A limited | grep -v -e '^out\.txt$' -e '^err\.txt$')
[ -z "$stray" ] || fail "file-size limit: files left behind: $stray"
echo "ok: file-size limit: $(grep "^libleak:" limited/err.txt | head -n 1)"
