#!/bin/bash
# RLIMIT_NPROC (issue 19, item 6): the library's dumper thread takes a process slot of the real
# user, again in every fork child. With nproc=2 the program's own pthread_create (and fork)
# failed with EAGAIN. The thread now starts only when it leaves the program room; when it does
# not, nothing changes for the program, the exit profile is still written, and one line says
# so only when a setting that needs the thread was given (LIBLEAK_SIGNAL here), once, not
# again in the fork child. The limit does not bind root: the program runs as a user id of its
# own (no other process has it, so the count is the program's alone).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog nproc_user
[ "$(id -u)" = 0 ] || skip "needs root to run the program under another user id"
command -v setpriv >/dev/null && command -v prlimit >/dev/null || skip "setpriv and prlimit (util-linux) are needed"
chmod 755 "$TEST_TMP"
stage_for_other_users "$TESTBIN/nproc_user" "$LIBLEAK_SO"
user=$(( 40000 + $$ % 20000 ))
[ -z "$(ps -o pid= -u $user 2>/dev/null)" ] || skip "user id $user has processes"

# run NAME NPROC ENV...: nproc_user under RLIMIT_NPROC=NPROC as $user, in directory NAME.
run() {
  local name=$1 nproc=$2; shift 2
  mkdir "$name" && chown $user "$name" && chmod 700 "$name"
  (cd "$name" && timeout 30 prlimit --nproc=$nproc:$nproc setpriv --reuid=$user --regid=$user --clear-groups \
     env "$@" "$stage/nproc_user" >out.txt 2>err.txt)
  rc=$?
}

run bare 2
assert_eq 0 "$rc" "bare: status ($(cat bare/out.txt bare/err.txt | tr '\n' ' '))"
printf 'threads at start: 1\npthread_create: ok\nfork: ok\n' >expected.txt
assert_eq "$(cat expected.txt)" "$(cat bare/out.txt)" "bare: stdout"
echo "ok: bare under nproc=2: $(tr '\n' ' ' <bare/out.txt)"

run defaults 2 LIBLEAK_OUT=exit.pb.gz LD_PRELOAD="$stage/libleak.so"
assert_eq 0 "$rc" "defaults: status"
assert_eq "$(cat expected.txt)" "$(cat defaults/out.txt)" "defaults: stdout"
assert_eq "" "$(cat defaults/err.txt)" "defaults: stderr (no setting asked for the thread)"
[ -s defaults/exit.pb.gz ] || fail "defaults: no exit profile: $(ls defaults)"
echo "ok: under the library with defaults, nproc=2: as bare, exit profile written, nothing said"

run asked 2 LIBLEAK_SIGNAL=USR2 LIBLEAK_OUT=exit.pb.gz LD_PRELOAD="$stage/libleak.so"
assert_eq 0 "$rc" "LIBLEAK_SIGNAL=USR2: status"
assert_eq "$(cat expected.txt)" "$(cat asked/out.txt)" "LIBLEAK_SIGNAL=USR2: stdout"
assert_eq 1 "$(wc -l <asked/err.txt)" "LIBLEAK_SIGNAL=USR2: lines on stderr ($(cat asked/err.txt))"
assert_contains "$(cat asked/err.txt)" "RLIMIT_NPROC" "LIBLEAK_SIGNAL=USR2: the line"
[ -s asked/exit.pb.gz ] || fail "LIBLEAK_SIGNAL=USR2: no exit profile: $(ls asked)"
echo "ok: LIBLEAK_SIGNAL=USR2, nproc=2: as bare, one line: $(cat asked/err.txt)"

# With room to spare the thread starts as before.
run room 100 LIBLEAK_OUT=exit.pb.gz LD_PRELOAD="$stage/libleak.so"
assert_eq 0 "$rc" "nproc=100: status"
assert_eq "threads at start: 2" "$(head -n 1 room/out.txt)" "nproc=100: the dumper thread runs"
assert_eq "" "$(cat room/err.txt)" "nproc=100: stderr"
echo "ok: nproc=100: the dumper thread started ($(head -n 1 room/out.txt))"
