#!/bin/bash
# A LIBLEAK_SYMBOLIZE=0 profile of a program and a shared library of ours, each with a
# leaking function, named by leakprof: (i) from the binaries in place; (ii) elsewhere, with
# another build (other build IDs) at their paths: the wrong build is refused and named by
# build ID through Debian's debuginfod, started here on 127.0.0.1 over objcopy
# --only-keep-debug files; `leakprof symbolize` writes a file go tool pprof names without
# any binary; (iii) through a .build-id debug directory alone; (iv) with no source of names:
# the command works and says what stayed unnamed.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog symbolize/app symbolize/app_other; require_go
for tool in objcopy readelf python3; do
  command -v $tool >/dev/null || fail "$tool not installed (binutils, python3: tools/deps.sh test)"
done

bin=$TEST_TMP/bin away=$TEST_TMP/away debug=$TEST_TMP/debug
mkdir -p "$bin" "$away" "$debug"
cp "$TESTBIN/symbolize/app" "$TESTBIN/symbolize/libsymbolize.so" "$bin/"
( cd "$bin" && timeout 30 env LIBLEAK_SYMBOLIZE=0 LIBLEAK_RATE=1 LIBLEAK_OUT="$TEST_TMP/p.pb.gz" \
    LD_PRELOAD="$LIBLEAK_SO" ./app >/dev/null ) || fail "the program failed under the library"
build_id() { readelf -n "$1" | awk '/Build ID/ { print $3 }'; }
app_id=$(build_id "$bin/app"); lib_id=$(build_id "$bin/libsymbolize.so")
[ -n "$app_id" ] && [ -n "$lib_id" ] || fail "no build IDs in the test binaries"

# The in-use bytes of each leaking function's stack, from leakprof folded (exact mode).
# symbolize_lib_fill is inlined into symbolize_lib_leak: the inlined frame must be there.
check_named() {  # check_named WHAT FOLDED_OUTPUT
  grep -q ';main;symbolize_app_leak 5000$' "$2" \
    || fail "$1: symbolize_app_leak not named with its 5000 bytes: $(head -c 600 "$2")"
  grep -q ';main;symbolize_lib_leak;symbolize_lib_fill 3000$' "$2" \
    || fail "$1: symbolize_lib_leak > symbolize_lib_fill (inlined) not named with 3000 bytes: $(head -c 600 "$2")"
  echo "ok: $1: both functions named, 5000 and 3000 bytes"
}

"$LEAKPROF" folded --no-symbolize p.pb.gz >raw.folded 2>raw.err || fail "folded --no-symbolize failed"
grep -q symbolize_ raw.folded && fail "the profile was written with names (LIBLEAK_SYMBOLIZE=0 ignored?)"
[ -s raw.err ] && fail "--no-symbolize printed on stderr: $(cat raw.err)"

# (i) in place.
env -u DEBUGINFOD_URLS "$LEAKPROF" folded p.pb.gz >inplace.folded 2>inplace.err || fail "folded failed: $(cat inplace.err)"
check_named "in place" inplace.folded
"$LEAKPROF" top -n 100 p.pb.gz >top.out 2>&1 || fail "top failed"
assert_contains "$(cat top.out)" "symbolize_app_leak" "top names in place"
# The mappings are as go tool pprof expects them: it names both from the binaries in place.
gopprof -top -nodefraction=0 -unit=B p.pb.gz >pprof.top 2>&1 || fail "pprof -top failed: $(cat pprof.top)"
for pair in "symbolize_app_leak 5000B" "symbolize_lib_leak 3000B"; do
  got=$(awk -v fn="${pair% *}" '$6 == fn { print $4 }' pprof.top)
  assert_eq "${pair#* }" "$got" "go tool pprof's cum of ${pair% *}, named from the binaries in place"
done

# (ii) elsewhere: the binaries moved away, another build at their paths.
mv "$bin/app" "$bin/libsymbolize.so" "$away/"
cp "$TESTBIN/symbolize/app_other" "$bin/app"
cp "$TESTBIN/symbolize/libsymbolize_other.so" "$bin/libsymbolize.so"
[ "$(build_id "$bin/app")" != "$app_id" ] || fail "the other build has the same build ID"
env -u DEBUGINFOD_URLS "$LEAKPROF" folded p.pb.gz >wrong.folded 2>wrong.err || fail "folded failed on a wrong build"
grep -q 'wrong_build\|symbolize_' wrong.folded && fail "named from the wrong build: $(grep 'wrong_build\|symbolize_' wrong.folded | head -3)"
assert_contains "$(cat wrong.err)" "$bin/app: build ID mismatch" "the wrong build is refused, and said"
assert_contains "$(cat wrong.err)" "stayed unnamed" "what stayed unnamed is said"
echo "ok: the wrong build is refused: $(cat wrong.err)"

objcopy --only-keep-debug "$away/app" "$debug/app.debug"
objcopy --only-keep-debug "$away/libsymbolize.so" "$debug/libsymbolize.so.debug"
command -v debuginfod >/dev/null || skip "debuginfod (Debian package debuginfod) is not installed"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
debuginfod -p "$port" -d "$TEST_TMP/debuginfod.sqlite" -F "$debug" >debuginfod.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
ready=0
for _ in $(seq 1 100); do  # until it has indexed both files (at most 20 s)
  if python3 -c 'import sys, urllib.request
for id in sys.argv[2:]: urllib.request.urlopen("http://127.0.0.1:%s/buildid/%s/debuginfo" % (sys.argv[1], id), timeout=5).read()' \
       "$port" "$app_id" "$lib_id" 2>/dev/null; then ready=1; break; fi
  kill -0 $server 2>/dev/null || fail "debuginfod exited: $(tail -5 debuginfod.log)"
  sleep 0.2
done
[ $ready = 1 ] || fail "debuginfod did not index $debug in 20 s: $(tail -5 debuginfod.log)"
export DEBUGINFOD_URLS="http://127.0.0.1:$port" DEBUGINFOD_CACHE_PATH="$TEST_TMP/cache"
timeout 60 "$LEAKPROF" folded p.pb.gz >debuginfod.folded 2>debuginfod.err || fail "folded through debuginfod failed"
check_named "through debuginfod, with a wrong build in place" debuginfod.folded
grep -q "$bin/app\b" debuginfod.err && fail "the program was named but said unnamed: $(cat debuginfod.err)"

timeout 60 "$LEAKPROF" symbolize -o named.pb.gz p.pb.gz 2>symbolize.err || fail "symbolize failed: $(cat symbolize.err)"
kill $server; wait $server 2>/dev/null
rm -rf "$bin" "$away" "$debug" "$TEST_TMP/cache"  # no binary, no debug file, no server
gopprof -symbolize=none -top -nodefraction=0 named.pb.gz >named.top 2>&1 || fail "pprof cannot read: $(cat named.top)"
gopprof -symbolize=none -traces named.pb.gz >named.traces 2>&1 || fail "pprof -traces cannot read"
pprof_raw named.pb.gz named.raw
for fn in symbolize_app_leak symbolize_lib_leak symbolize_lib_fill; do
  assert_contains "$(cat named.top)" "$fn" "pprof -top of the symbolized file"
  assert_contains "$(cat named.traces)" "$fn" "pprof -traces of the symbolized file"
done
grep -q 'symbolize_app_leak .*symbolize/app\.c:[0-9]' named.raw || fail "no source file for symbolize_app_leak: $(grep symbolize_ named.raw)"
grep -q 'symbolize_lib_fill .*symbolize/lib\.c:[0-9]' named.raw || fail "no source file for symbolize_lib_fill: $(grep symbolize_ named.raw)"
assert_eq "1 5000 1 5000" "$(site_values named.raw symbolize_app_leak)" \
  "pprof's four values of symbolize_app_leak"
echo "ok: go tool pprof -symbolize=none reads names and source files with no binary present"
"$LEAKPROF" symbolize -o again.pb.gz named.pb.gz 2>again.err || fail "symbolize of a named profile failed"
"$LEAKPROF" folded named.pb.gz >named.folded && "$LEAKPROF" folded again.pb.gz >again.folded
cmp -s named.folded again.folded || fail "symbolizing a named profile changed it: $(diff named.folded again.folded | head)"
[ -s again.err ] && fail "a named profile still has unnamed frames: $(cat again.err)"
"$LEAKPROF" symbolize -o merged.pb.gz named.pb.gz named.pb.gz || fail "symbolize of two files failed"
grep -q ';symbolize_app_leak 10000$' <("$LEAKPROF" folded merged.pb.gz) || fail "the merge of two does not sum"
echo "ok: idempotent, and merges"

# (iii) a .build-id debug directory alone (and LEAKPROF_DEBUG_DIRS with DIR/xx/rest.debug).
unset DEBUGINFOD_URLS
mkdir -p ids/.build-id/${app_id:0:2} ids/.build-id/${lib_id:0:2} flat/${app_id:0:2} flat/${lib_id:0:2}
cp "$TESTBIN/symbolize/app" app.full && objcopy --only-keep-debug app.full "ids/.build-id/${app_id:0:2}/${app_id:2}.debug"
objcopy --only-keep-debug "$TESTBIN/symbolize/libsymbolize.so" "ids/.build-id/${lib_id:0:2}/${lib_id:2}.debug"
cp "ids/.build-id/${app_id:0:2}/${app_id:2}.debug" "flat/${app_id:0:2}/${app_id:2}.debug"
cp "ids/.build-id/${lib_id:0:2}/${lib_id:2}.debug" "flat/${lib_id:0:2}/${lib_id:2}.debug"
"$LEAKPROF" folded --debug-dir ids p.pb.gz >ids.folded 2>ids.err || fail "folded --debug-dir failed"
check_named "a .build-id debug directory (--debug-dir)" ids.folded
LEAKPROF_DEBUG_DIRS="$TEST_TMP/none:$TEST_TMP/flat" "$LEAKPROF" folded p.pb.gz >flat.folded 2>flat.err || fail "folded failed"
check_named "LEAKPROF_DEBUG_DIRS, DIR/xx/rest.debug" flat.folded

# The right build in place, stripped of every symbol: named by the debug directory, lines
# and all; without it, said so.
mkdir -p "$bin" && cp "$TESTBIN/symbolize/app" "$bin/app" && strip --strip-all "$bin/app"
"$LEAKPROF" folded --debug-dir ids p.pb.gz >stripped.folded 2>stripped.err || fail "folded failed"
grep -q ';main;symbolize_app_leak 5000$' stripped.folded || fail "stripped binary + debug dir: not named"
"$LEAKPROF" folded p.pb.gz >/dev/null 2>stripped.err || fail "folded failed"
assert_contains "$(cat stripped.err)" "$bin/app: the right build, without debug information" "a stripped binary is said"
echo "ok: a stripped binary in place, named from the debug directory"
rm -rf "$bin"

# (iv) no source of names at all: the command works and says why.
status=0
"$LEAKPROF" top p.pb.gz >none.out 2>none.err || status=$?
assert_eq 0 "$status" "top with nothing to name from"
assert_contains "$(cat none.err)" "stayed unnamed" "says frames stayed unnamed"
assert_contains "$(cat none.err)" "$bin/app: no file" "says why"
assert_eq 1 "$(grep -c . none.err)" "one line on stderr"
echo "ok: nothing to name from: $(cat none.err)"
