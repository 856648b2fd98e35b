#!/bin/bash
# The exit profile with the address space full (issue 19, item 15): under ulimit -v (and -d) a
# program allocates until malloc fails, keeps everything and exits. Bare and under the library:
# the same output and status; the exit profile exists (it failed with ENOMEM before: zlib's
# state and the dump's arena had no room) and build/leakprof and go tool pprof read it, with
# the samples of the program's site. What it needs comes from a reserve mapped at start.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog until_enomem

run() {  # run LIMIT_FLAG SETTINGS...: until_enomem under the limit; "status stdout" on stdout
  local flag=$1; shift
  local out rc
  out=$( (ulimit $flag 150000; exec timeout 60 env "$@" "$TESTBIN/until_enomem" 2>>err.txt) )
  rc=$?
  echo "$rc $out"
}

for flag in -v -d; do
  bare=$(run $flag)
  assert_eq "0 exhausted" "$bare" "until_enomem bare under ulimit $flag"
  for settings in "LIBLEAK_RATE=524288" "LIBLEAK_RATE=1"; do
    name=full$flag.${settings#*=}
    rm -f "$name".*
    got=$(run $flag $settings LIBLEAK_OUT="$PWD/$name.%n" LD_PRELOAD="$LIBLEAK_SO")
    assert_eq "$bare" "$got" "under the library, ulimit $flag, $settings: status and output"
    [ -s "$name.0001" ] || fail "ulimit $flag, $settings: no exit profile: $(tail -c 400 err.txt)"
    "$LEAKPROF" info "$name.0001" >info.txt 2>&1 || fail "leakprof cannot read $name.0001: $(head -c 300 info.txt)"
    grep -q "^Samples: *[1-9]" info.txt || fail "ulimit $flag, $settings: no samples: $(cat info.txt)"
    "$LEAKPROF" top "$name.0001" >top.txt 2>&1 || fail "leakprof top $name.0001: $(head -c 300 top.txt)"
    # The program holds everything it allocated: tens of MiB in use in the profile.
    grep -Eq "^Total inuse_space +[0-9.]+MB" info.txt || fail "ulimit $flag, $settings: in-use total: $(cat info.txt)"
    if have_go; then
      pprof_raw "$name.0001" raw.txt
    fi
    echo "ok: ulimit $flag 150000, $settings: exit profile written and read"
  done
done

# Many stacks (8192 distinct ones): the exit profile's tables, sized for every stack, and the
# age classes' table took the whole reserve and the profile was lost with ENOMEM, or written
# with no sample. Now it is written, its samples cut short with a comment saying how many.
(ulimit -v 150000; exec timeout 60 env LIBLEAK_RATE=1 LIBLEAK_OUT="$PWD/stacks.%n" LD_PRELOAD="$LIBLEAK_SO" \
   "$TESTBIN/until_enomem" 65536 13 >stacks.out 2>>err.txt)
assert_eq "0 exhausted" "$? $(cat stacks.out)" "8192 stacks under ulimit -v: status and output"
[ -s stacks.0001 ] || fail "8192 stacks under ulimit -v: no exit profile: $(tail -c 400 err.txt)"
"$LEAKPROF" info stacks.0001 >info.txt 2>&1 || fail "leakprof cannot read stacks.0001: $(head -c 300 info.txt)"
samples=$(sed -n 's/^Samples: *//p' info.txt)
[ "${samples:-0}" -ge 1000 ] || fail "8192 stacks under ulimit -v: $samples samples: $(cat info.txt)"
echo "ok: 8192 stacks under ulimit -v 150000: exit profile with $samples samples ($(grep -o 'samples cut short[^)]*' info.txt || echo all))"

