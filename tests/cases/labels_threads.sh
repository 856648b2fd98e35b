#!/bin/bash
# Every sample carries the string label "thread": the allocating thread's name when it
# allocated. tests/programs/thread_labels.c names its threads every way a program does
# (pthread_setname_np from another thread and on itself, prctl(PR_SET_NAME), a rename mid-run,
# a pool of worker-N) and allocates known amounts on each; go tool pprof is the judge:
# -tags lists the names with their bytes (exact in exact mode, within the sampling error at
# the default rate) and -tagfocus / -tagignore keep or drop one thread's allocations; leakprof's
# --tagfocus / --tagignore agree with them. The interposed renaming calls answer as libc does.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog thread_labels thread_names_cap; require_go

# thread_bytes PROFILE: "NAME BYTES" lines, from go tool pprof -tags (alloc_space of the
# allocate() site: the program's own stdio buffers are left out).
thread_bytes() {
  gopprof -tags -unit=B -sample_index=alloc_space -focus='^allocate$' -symbolize=none "$1" 2>"$1.err" \
    | awk '/^ *thread:/ { on = 1; next } on && /^ *$/ { on = 0 } on { b = $1; sub(/B$/, "", b); printf "%s %d\n", $NF, b }' \
    | sort
}

# run_labels DIR ENV...: the program under the library; its exit profile is DIR/exit.pb.gz.
run_labels() {
  local dir=$1; shift
  mkdir -p "$dir"
  run_under_libleak "$@" LIBLEAK_OUT="$dir/exit.pb.gz" -- "$TESTBIN/thread_labels" >"$dir/out.txt" 2>"$dir/err.txt" \
    || fail "thread_labels failed: $(cat "$dir/err.txt")"
  [ -s "$dir/exit.pb.gz" ] || fail "no exit profile in $dir"
}

mib=1048576
expected_folded="alpha $((16 * mib))
beta $((24 * mib))
delta $((16 * mib))
gamma $((8 * mib))
thread_labels $((8 * mib))
worker-* $((8 * mib))"

# Exact mode: every name, to the byte; nothing labelled "other".
run_labels exact LIBLEAK_RATE=1
got=$(thread_bytes exact/exit.pb.gz)
assert_eq "$expected_folded" "$got" "go tool pprof -tags, exact mode (thread and bytes)"

# -tagfocus keeps one thread's allocations, -tagignore the others'.
shown() { sed -n 's/^Showing nodes accounting for \([0-9]*\)B.*/\1/p'; }
beta=$(gopprof -top -unit=B -sample_index=alloc_space -focus='^allocate$' -tagfocus='thread=^beta$' \
         -symbolize=none exact/exit.pb.gz 2>/dev/null | shown)
assert_eq $((24 * mib)) "$beta" "-tagfocus=thread=^beta\$: alloc_space"
others=$(gopprof -top -unit=B -sample_index=alloc_space -focus='^allocate$' -tagignore='thread=^beta$' \
           -symbolize=none exact/exit.pb.gz 2>/dev/null | shown)
assert_eq $((56 * mib)) "$others" "-tagignore=thread=^beta\$: alloc_space"
echo "ok: exact mode, -tags, -tagfocus and -tagignore"

# leakprof's --tagfocus / --tagignore print what go tool pprof prints (same totals, same rows).
for filter in 'thread=^beta$' 'thread=alpha,delta' 'thread=worker' 'bytes=1mb' 'bytes=1k:4k'; do
  for option in tagfocus tagignore; do
    ours=$("$LEAKPROF" top -i alloc_space --$option "$filter" exact/exit.pb.gz 2>&1 | sed -n '/^Showing nodes/,$p')
    theirs=$(gopprof -top -sample_index=alloc_space -$option="$filter" exact/exit.pb.gz 2>/dev/null | sed -n '/^Showing nodes/,$p')
    [ -n "$theirs" ] || fail "go tool pprof -top -$option=$filter printed no table"
    assert_eq "$theirs" "$ours" "leakprof top --$option $filter against go tool pprof"
  done
done
"$LEAKPROF" top --tagfocus 'thread=(' exact/exit.pb.gz >bad.txt 2>&1
assert_eq 2 $? "leakprof top with a bad --tagfocus: exit status"
echo "ok: leakprof --tagfocus and --tagignore agree with go tool pprof"

# The interposed pthread_setname_np and prctl forward the result and errno as they came.
assert_eq "forward prctl_bad -1 EINVAL
forward setname_long ERANGE
forward get_name thread_labels" "$(grep '^forward' exact/out.txt)" "the renaming calls' answers under libleak"

# The html page's table by thread (all samples: main's stdio buffer too).
"$LEAKPROF" html -i alloc_space -o exact/report.html exact/exit.pb.gz 2>/dev/null || fail "leakprof html failed"
grep -q "\"threads\":\[\[\"beta\",$((24 * mib))\]" exact/report.html \
  || fail "the html page's threads: $(grep -o '"threads":.\{0,200\}' exact/report.html)"

# LIBLEAK_THREAD_FOLD=0: the pool's workers apart.
run_labels nofold LIBLEAK_RATE=1 LIBLEAK_THREAD_FOLD=0
got=$(thread_bytes nofold/exit.pb.gz | grep '^worker')
assert_eq "worker-1 $((4 * mib))
worker-2 $((4 * mib))" "$got" "LIBLEAK_THREAD_FOLD=0: the workers"
echo "ok: LIBLEAK_THREAD_FOLD=0"

# The default rate: 1 MiB blocks are sampled with probability 1 - e^-2 = 0.86, weight 1.16;
# for n blocks the estimate's standard deviation is sqrt(n (1-p)/p) MiB = 0.43 sqrt(n) MiB, so
# 8 blocks: 1.2 MiB (15 %). 50 % is more than three standard deviations for every name.
run_labels rate
thread_bytes rate/exit.pb.gz >rate/got.txt
while read -r name bytes; do
  actual=$(awk -v n="$name" '$1 == n { print $2 }' rate/got.txt)
  [ -n "$actual" ] || fail "default rate: no thread $name in -tags: $(cat rate/got.txt)"
  assert_within "$bytes" "$actual" 50 "default rate: thread $name"
done <<<"$expected_folded"
echo "ok: the default rate"

# More names than are kept: the first ones keep theirs, the rest are "other", and a comment
# counts them. 511 names besides "other", main's and libleak's own thread's among them: about
# 509 threads keep theirs; every thread's 1000 bytes are counted under one name or the other.
mkdir cap && run_under_libleak LIBLEAK_RATE=1 LIBLEAK_OUT=cap/exit.pb.gz -- "$TESTBIN/thread_names_cap" \
  || fail "thread_names_cap failed"
gopprof -tags -unit=B -sample_index=alloc_space -focus=named_allocation -symbolize=none cap/exit.pb.gz >cap/tags.txt 2>&1 \
  || fail "go tool pprof -tags: $(head -c 300 cap/tags.txt)"
named=$(grep -c ': t[0-9]*x *$' cap/tags.txt)
other=$(awk '$NF == "other" { b = $1; sub(/B$/, "", b); print b + 0 }' cap/tags.txt)
[ "$named" -ge 500 ] && [ "$named" -le 510 ] || fail "threads under their own names: $named, expected 500 to 510"
assert_eq 600000 $((named * 1000 + other)) "bytes of the named threads and of other"
pprof_raw cap/exit.pb.gz cap/raw.txt
grep -q 'thread names: [0-9]* past the 512 kept, labelled other' cap/raw.txt || fail "no comment counting the names past the cap"
echo "ok: the cap on names"
