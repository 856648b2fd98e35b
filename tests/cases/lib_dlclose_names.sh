#!/bin/bash
# Frames of a dlclose'd library never take the names of what loads at the same address later
# (issue 10 item 10). twin_loader keeps 10 blocks of 111 bytes allocated by libtwin_first.so,
# unloads it, loads libtwin_second.so (the same code under other names) at the same address and
# keeps 10 blocks of 222 bytes allocated by that. The stacks share their addresses, so no name
# is right for both: no more than the second library's own 2,220 bytes may be charged to a stack
# named with twin_second_ functions, and all 3,330 bytes are in the profile.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog twin_loader
LEAKPROF="$LIBLEAK_ROOT/build/leakprof"
[ -f "$TESTBIN/libtwin_second.so" ] || fail "$TESTBIN/libtwin_second.so not built (run make test-programs)"

for settings in "LIBLEAK_RATE=1" "LIBLEAK_RATE=1 LIBLEAK_UNWIND=libunwind"; do
  rm -f out.pb.gz
  out=$(env $settings LIBLEAK_OUT=out.pb.gz LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/twin_loader" "$TESTBIN" 2>err.txt) \
    || fail "twin_loader ($settings): exit status $? ($(head -c 300 err.txt))"
  [ "$out" = "same address" ] || skip "the loader put the second library elsewhere ($out): nothing to confuse"
  "$LEAKPROF" folded --sample-index inuse_space out.pb.gz >folded.txt || fail "leakprof folded out.pb.gz"
  named=$(awk '/twin_second_/ {s += $NF} END {print s + 0}' folded.txt)
  total=$(awk '/;main;load;/ && !/dlopen/ {s += $NF} END {print s + 0}' folded.txt)
  grep -E 'twin|;main;load;' folded.txt | grep -v dlopen >&2
  assert_eq 3330 "$total" "twin_loader ($settings): bytes kept by both libraries"
  [ "$named" -le 2220 ] || fail "twin_loader ($settings): $named bytes charged to twin_second_ frames (its own blocks are 2220 bytes): the first library's frames took its names"
  echo "ok: $settings: $named bytes named twin_second_, $total in all"
done
