#!/bin/bash
# LIBLEAK_UNWIND=auto, the default in exact mode: frame pointers where the chain can be trusted,
# libunwind where it cannot. Every stack (function names, root first) equals libunwind's, for a
# program built with frame pointers (walked by them) and for one built -O2 without them, whose
# functions use %rbp as an ordinary register (handed to libunwind, and the profile's comments
# say how many).
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog exact_sites nofp_stacks
LEAKPROF="$LIBLEAK_ROOT/build/leakprof"

# stacks PROGRAM UNWIND: folded stacks (alloc_objects) of an exact run into UNWIND.txt, and the
# profile's unwinding comment into UNWIND.comment.
stacks() {
  local envs=(LIBLEAK_RATE=1 LIBLEAK_OUT=$2.pb.gz)
  [ "$2" = default ] || envs+=(LIBLEAK_UNWIND=$2)
  env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/$1" >$2.out 2>$2.err \
    || fail "$1 under $2: exit status $? ($(head -c 300 $2.err))"
  "$LEAKPROF" folded --sample-index alloc_objects $2.pb.gz >$2.txt || fail "leakprof folded $2.pb.gz"
  gzip -dc $2.pb.gz | tr -c '[:print:]' '\n' | grep -o 'unwinding (.*left short' >$2.comment
}

mkdir fp && cd fp || exit 1
stacks exact_sites libunwind
stacks exact_sites default
[ -s libunwind.txt ] || fail "exact_sites: no stacks"
diff libunwind.txt default.txt >&2 || fail "exact_sites: the default unwinder's stacks differ from libunwind's"
comment=$(cat default.comment)
assert_contains "$comment" "unwinding (auto)" "exact_sites: the profile says which unwinder"
walked=$(sed -n 's/.*: \([0-9]*\) stacks by frame pointers.*/\1/p' default.comment)
samples=$(awk '{s += $NF} END {print s}' default.txt)
[ "$walked" -gt $((samples * 9 / 10)) ] || fail "exact_sites: only $walked of $samples stacks by frame pointers ($comment)"
echo "ok: exact_sites (frame pointers): $(wc -l <default.txt) stacks equal to libunwind's; $comment"
cd ..

mkdir nofp && cd nofp || exit 1
stacks nofp_stacks libunwind
stacks nofp_stacks default
for site in "main;middle_one;busy_leaf" "main;middle_two;quiet_leaf" "worker;middle_one;quiet_leaf" "worker;middle_two;busy_leaf"; do
  grep -q "$site " libunwind.txt || fail "nofp_stacks: libunwind has no stack with $site"
done
diff libunwind.txt default.txt >&2 || fail "nofp_stacks (no frame pointers): the default unwinder's stacks differ from libunwind's"
comment=$(cat default.comment)
fell=$(sed -n 's/.*, \([0-9]*\) fell back to libunwind.*/\1/p' default.comment)
[ "${fell:-0}" -gt 0 ] || fail "nofp_stacks: the comments count no fallback ($comment)"
echo "ok: nofp_stacks (no frame pointers): $(wc -l <default.txt) stacks equal to libunwind's; $comment"
