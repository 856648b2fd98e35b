#!/bin/bash
# stderr closed (2>&-), with a bad LIBLEAK_* value and an output path that fails, while the
# program writes its own file on the descriptor that was stderr: exit status and stdout are
# unchanged and the program's file holds only what the program wrote.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hello_alloc; require_go

# Without the library: the file the program opens takes descriptor 2, and what the program
# then writes to stderr lands in it (the classic way to redirect one's own stderr).
mkdir plain && cd plain || exit 1
"$TESTBIN/hello_alloc" --open mine.txt --say "said on stderr" --exit 5 >out.txt 2>&-
assert_eq 5 "$?" "without the library: exit status"
grep -q 'opened mine.txt on descriptor 2' out.txt || fail "without the library, mine.txt did not get descriptor 2: $(cat out.txt)"
cd ..

mkdir closed_stderr && cd closed_stderr || exit 1
timeout 30 env LIBLEAK_RATE=abc LIBLEAK_OUT=/nonexistent/dir/x.%p.pb.gz LD_PRELOAD="$LIBLEAK_SO" \
  "$TESTBIN/hello_alloc" --open mine.txt --say "said on stderr" --exit 5 >out.txt 2>&-
rc=$?
assert_eq 5 "$rc" "stderr closed: exit status"
assert_eq "$(cat ../plain/out.txt)" "$(cat out.txt)" "stderr closed: stdout (which descriptor the program's file got)"
assert_eq "$(cat ../plain/mine.txt)" "$(cat mine.txt)" "stderr closed: the program's file on descriptor 2 (no library message in it, nothing lost)"
echo "ok: stderr closed: exit 5, stdout unchanged, the program's file on fd 2 holds exactly the program's text"
