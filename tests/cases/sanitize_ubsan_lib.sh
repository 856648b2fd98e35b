#!/bin/bash
# The whole preload library built with UndefinedBehaviorSanitizer (build/sanitize/ubsan-lib,
# apart from the normal build) and run under programs: a failed malloc of 2^63 + 2^62 bytes
# then 1000 kept blocks (the countdown must neither overflow nor lose its way), a thread's first
# allocations, every malloc-family entry point in exact mode (errno_keep). Any report fails.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_prog first_alloc errno_keep
command -v gcc >/dev/null || skip "gcc not installed"
[ -f "$BUILD/profile.pb-c.o" ] || fail "run make first (build/profile.pb-c.o missing)"

dir=$BUILD/sanitize/ubsan-lib
mkdir -p "$dir" && rm -f "$dir"/*.o "$dir/libleak.so"
flags=(-fsanitize=undefined -fno-sanitize-recover=all)
compile() {
  local extra=(); [ "$(basename "$1")" = cxx_hooks.c ] && extra=(-fexceptions)
  gcc -std=gnu11 -O1 -g -fno-omit-frame-pointer -D_GNU_SOURCE "${flags[@]}" -fPIC -fvisibility=hidden \
    -ftls-model=initial-exec "${extra[@]}" -I"$LIBLEAK_ROOT/include" -I"$BUILD/gen" \
    -I"$LIBLEAK_ROOT/libleak" -I"$LIBLEAK_ROOT" -c -o "$dir/$(echo "${1#"$LIBLEAK_ROOT"/}" | tr / _ | sed 's/\.c$/.o/')" "$1"
}
pids=()
for f in "$LIBLEAK_ROOT"/libleak/*/*.c "$LIBLEAK_ROOT"/common/*.c; do
  compile "$f" & pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}" || fail "compiling with UBSan failed"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || fail "compiling with UBSan failed"; done
gcc -shared "${flags[@]}" -o "$dir/libleak.so" "$dir"/*.o "$BUILD/profile.pb-c.o" \
  -Wl,--version-script="$LIBLEAK_ROOT/libleak/exports.map" -Wl,-z,nodelete -Wl,-z,now \
  -lunwind -ldw -lelf -lprotobuf-c -lz -lpthread -ldl -lm || fail "linking the UBSan library failed"

run() {  # run NAME ENV... -- PROGRAM ARGS
  local name=$1; shift
  local envs=(); while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  timeout 120 env "${envs[@]}" UBSAN_OPTIONS=print_stacktrace=1 LIBLEAK_OUT="$PWD/$name.%n.pb.gz" \
    LD_PRELOAD="$dir/libleak.so" "$@" >"$name.out" 2>"$name.err"
  local rc=$?
  echo "$name: exit $rc: $(head -c 200 "$name.out")"
  grep -q "runtime error:" "$name.err" && { cat "$name.err"; fail "$name: UBSan report"; }
  assert_eq 0 "$rc" "$name: exit status ($(tail -n 3 "$name.err"))"
}
run huge -- "$TESTBIN/first_alloc" huge
run first_main -- "$TESTBIN/first_alloc" main
run first_threads -- "$TESTBIN/first_alloc" threads
run errno_exact LIBLEAK_RATE=1 LIBLEAK_AT_EXIT=0 -- "$TESTBIN/errno_keep"
run errno_default LIBLEAK_AT_EXIT=0 -- "$TESTBIN/errno_keep"
