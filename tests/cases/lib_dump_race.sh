#!/bin/bash
# Six threads call libleak_dump(NULL) five times each at the same moment, while SIGUSR2
# snapshots are requested and other threads allocate: every call succeeds, every file gets its
# own sequence number (30 + snapshots + exit, no name used twice, none lost), every file is whole.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog dump_race; require_go

env LIBLEAK_OUT='race.%p.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/dump_race" >out.txt 2>err.txt &
pid=$!
# signals only once the library is set up: after the first file appears
wait_for_file 'race.*.pb.gz' 30 $pid || { kill -9 $pid 2>/dev/null; fail "no profile appeared: $(cat err.txt)"; }
for i in $(seq 10); do kill -USR2 $pid 2>/dev/null || break; sleep 0.02; done
finish $pid 60 dump_race
cat err.txt >&2
assert_eq 0 "$rc" "dump_race exit status (every libleak_dump(NULL) succeeded)"
assert_eq "dumps ok 30" "$(cat out.txt)" "dump_race stdout"
files=(race.$pid.*.pb.gz)
[ ${#files[@]} -ge 31 ] || fail "expected at least 30 dumps and the exit profile, got ${#files[@]}: ${files[*]}"
# The sequence numbers are distinct and without gaps.
seqs=$(printf '%s\n' "${files[@]}" | sed 's/^race\.[0-9]*\.\([0-9]*\)\.pb\.gz$/\1/' | sort -n)
first=$(echo "$seqs" | head -n 1); last=$(echo "$seqs" | tail -n 1)
assert_eq "${#files[@]}" "$(echo "$seqs" | sort -u | wc -l)" "distinct sequence numbers"
assert_eq $(( 10#$last - 10#$first + 1 )) "${#files[@]}" "sequence numbers $first..$last without gaps"
for f in "${files[@]}"; do
  gopprof -raw -symbolize=none "$f" >/dev/null 2>&1 || fail "$f is not a readable profile"
done
stray=$(ls -A | grep -v -e '^race\.' -e '^out\.txt$' -e '^err\.txt$' -e '^\.gohome$')
[ -z "$stray" ] || fail "files left behind: $stray"
echo "ok: ${#files[@]} profiles, sequence $first..$last, all readable"
