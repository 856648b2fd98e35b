#!/bin/bash
# A full disk: the exit profile cannot be written. The program's output and exit status are
# unchanged, stderr gets one line naming the file and ENOSPC, and no temporary file is left.
# Needs a tiny tmpfs (root with mount rights); skipped elsewhere.
. "$LIBLEAK_ROOT/tests/lib.sh"
mkdir -p disk
mount -t tmpfs -o size=16k tmpfs disk 2>/dev/null || skip "cannot mount a tmpfs here"
trap 'umount "$TEST_TMP/disk" 2>/dev/null' EXIT
dd if=/dev/zero of=disk/fill bs=4k count=8 2>/dev/null   # fills it (dd stops at ENOSPC)
cat > t.c <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(void) { void *p[100]; for (int i = 0; i < 100; i++) p[i] = malloc(1000); printf("done %s\n", p[7] != NULL ? "ok" : "no"); return 3; }
C
cc -o t t.c
expected=$(./t)
got=$(LIBLEAK_RATE=1 LIBLEAK_OUT="$TEST_TMP/disk/p.%n.pb.gz" LD_PRELOAD="$LIBLEAK_SO" ./t 2>err.txt)
rc=$?
assert_eq 3 "$rc" "exit status"
assert_eq "$expected" "$got" "stdout"
assert_eq 1 "$(wc -l < err.txt)" "lines on stderr"
assert_contains "$(cat err.txt)" "p.0001.pb.gz: No space left on device" "stderr"
assert_eq "fill" "$(ls -A disk)" "files left on the full disk"
