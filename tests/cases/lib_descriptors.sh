#!/bin/bash
# libleak never holds a descriptor the program can be handed, and never reads or writes one it
# did not open itself at that moment (issue 10 item 2): a program that closes every descriptor,
# opens 1100 files (then, under `ulimit -n 64`, as many as it may) and allocates from code
# without unwind tables, where an unwinder must check the memory it reads. Its files keep
# their offsets and sizes, and it is not killed by SIGPIPE; with libunwind, with the default
# unwinder, in exact mode and at the default rate.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog descriptor_victim

for files in many 64; do
  for settings in "LIBLEAK_RATE=1 LIBLEAK_UNWIND=libunwind" "LIBLEAK_RATE=1" "LIBLEAK_UNWIND=libunwind" ""; do
    dir="run_${files}_$(echo "$settings" | tr ' =' '__')"
    mkdir "$dir" && cd "$dir" || exit 1
    out=$( ([ $files = 64 ] && ulimit -n 64; timeout 60 env $settings LIBLEAK_AT_EXIT=0 \
             LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/descriptor_victim") 2>err.txt)
    rc=$?
    [ $rc = 124 ] && fail "descriptor_victim ($files files, $settings) hung"
    [ $rc = 0 ] || fail "descriptor_victim ($files files, ${settings:-defaults}): exit status $rc (14: its files were touched; 141: SIGPIPE): $(head -c 300 err.txt)"
    case "$out" in ok\ *) ;; *) fail "descriptor_victim ($files files, $settings): output '$out'" ;; esac
    echo "ok: $files files (${settings:-defaults}): $out"
    cd ..
  done
done
