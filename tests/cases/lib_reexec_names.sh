#!/bin/bash
# Profile names stay unique across an exec under the same pid (issue 19 item 11): a program
# that execs itself keeps its process ID, so with LIBLEAK_OUT=snap.%p.%n.pb.gz the new image's
# first snapshot would be the old image's snap.PID.0001 ("File exists"). %n skips the numbers
# whose files exist: the first image writes 0001, the second 0002 and its exit profile 0003.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog reexec_snapshots

out=$(timeout 60 "$TESTBIN/reexec_snapshots" 2>&1)
assert_eq 0 $? "bare: exit status"
assert_eq "first image
second image" "$out" "bare: output"

out=$(timeout 60 env LIBLEAK_OUT='snap.%p.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/reexec_snapshots" 2>err.txt)
assert_eq 0 $? "under libleak: exit status"
assert_eq "first image: libleak_dump 0
second image: libleak_dump 0" "$out" "under libleak: output"
assert_eq "" "$(cat err.txt)" "under libleak: stderr"
files=$(ls snap.*.pb.gz | sed 's/^snap\.[0-9]*\./snap.PID./' | tr '\n' ' ')
assert_eq "snap.PID.0001.pb.gz snap.PID.0002.pb.gz snap.PID.0003.pb.gz " "$files" "profiles"
assert_eq 1 "$(ls snap.*.pb.gz | cut -d. -f2 | sort -u | wc -l)" "one process ID in the names"
echo "ok: $files"

# Special profiles ("leaks", "peak", "nearlimit") are named by %n too: when the name is taken
# (an earlier image of this pid, or an earlier run with a template without %p), the profile
# becomes NAME.2, NAME.3: never "File exists" and a lost report. Two leaking runs of the gate
# in one directory with LIBLEAK_OUT=g.%n.pb.gz.
for run in 1 2 3; do
  timeout 60 env LIBLEAK_CHECK=1 LIBLEAK_OUT='g.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO" "$BUILD/tests/leaks/direct" \
    >/dev/null 2>gate$run.err
  assert_eq 23 $? "gate run $run: exit status"
  assert_eq "" "$(grep -i 'cannot write' gate$run.err)" "gate run $run: no failure to write"
done
assert_eq "g.leaks.2.pb.gz g.leaks.3.pb.gz g.leaks.pb.gz " "$(ls g.leaks*.pb.gz | tr '\n' ' ')" "the leaks profiles of three runs"
echo "ok: special profiles: $(ls g.leaks*.pb.gz | tr '\n' ' ')"
