#!/bin/bash
# Fork children never wait for a lock a parent thread held (issue 10 item 1). One thread walks
# the module list (dl_iterate_phdr) or loads and unloads a library while the main thread forks
# 30 children that allocate and write a profile. glibc does not reset the loader's lock in the
# child, so a child that unwinds with libunwind or lists modules with dl_iterate_phdr may hang;
# libleak's child unwinds by frame pointers and lists modules without that lock. Every child
# exits, in exact mode and at the default settings, and its profiles are readable.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog fork_walker
LEAKPROF="$LIBLEAK_ROOT/build/leakprof"

for walker in phdr dlopen; do
  for settings in "LIBLEAK_RATE=1" ""; do
    dir="${walker}_${settings:-default}"
    mkdir "$dir" && cd "$dir" || exit 1
    # Names only where they are checked: symbolizing 120 exit profiles is most of the time.
    names=LIBLEAK_SYMBOLIZE=0
    [ "$walker $settings" = "phdr LIBLEAK_RATE=1" ] && names=LIBLEAK_SYMBOLIZE=1
    out=$(timeout 300 env $settings $names LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/fork_walker" $walker 2>err.txt)
    rc=$?
    assert_eq "0 hung 0 of 30, 0 failed" "$rc $out" "fork_walker $walker (${settings:-defaults}): children that never exited ($(head -c 300 err.txt))"
    profiles=(libleak.fork_walker.*.heap.pb.gz)
    [ ${#profiles[@]} -ge 30 ] || fail "fork_walker $walker (${settings:-defaults}): ${#profiles[@]} profiles, expected one per child at least"
    for f in "${profiles[@]}"; do
      "$LEAKPROF" folded "$f" >/dev/null || fail "fork_walker $walker (${settings:-defaults}): $f is unreadable"
    done
    if [ $names = LIBLEAK_SYMBOLIZE=1 ]; then
      for f in "${profiles[@]}"; do "$LEAKPROF" folded --sample-index alloc_objects "$f"; done \
        | grep -q 'main;child_work [0-9]' \
        || fail "fork_walker $walker: no child stack main;child_work in the children's profiles"
    fi
    echo "ok: fork_walker $walker (${settings:-defaults}): 30 children exited, ${#profiles[@]} readable profiles"
    cd ..
  done
done
