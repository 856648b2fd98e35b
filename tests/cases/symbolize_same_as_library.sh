#!/bin/bash
# leakprof names an unnamed profile (LIBLEAK_SYMBOLIZE=0) exactly as the library names the
# same program in the process (=1): every stack of `leakprof folded` equal, function names,
# inlined frames and C++ names (demangled) included. A C program with a shared library of
# ours and inlined code, and a C++ program with inlined templates in a namespace.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog symbolize/app
command -v g++ >/dev/null || fail "g++ not installed (tools/deps.sh test)"
g++ -O1 -g -fno-omit-frame-pointer -o basket "$LIBLEAK_ROOT/tests/programs/symbolize/basket.cc" \
  || fail "cannot build basket.cc"
for program in "$TESTBIN/symbolize/app" ./basket; do
  name=$(basename "$program")
  for symbolize in 0 1; do
    timeout 60 env LIBLEAK_SYMBOLIZE=$symbolize LIBLEAK_RATE=1 LIBLEAK_OUT="$name.$symbolize.pb.gz" \
      LD_PRELOAD="$LIBLEAK_SO" "$program" >/dev/null || fail "$name failed under the library"
  done
  env -u DEBUGINFOD_URLS "$LEAKPROF" folded --no-symbolize "$name.0.pb.gz" >"$name.raw"
  grep -q 'main' "$name.raw" && fail "$name: LIBLEAK_SYMBOLIZE=0 wrote names"
  env -u DEBUGINFOD_URLS "$LEAKPROF" folded "$name.0.pb.gz" >"$name.leakprof" 2>"$name.err" || fail "$name: folded failed"
  "$LEAKPROF" folded "$name.1.pb.gz" >"$name.library" || fail "$name: folded failed"
  [ -s "$name.library" ] || fail "$name: empty profile"
  diff -u "$name.library" "$name.leakprof" >"$name.diff" \
    || fail "$name: leakprof names differently from the library: $(head -30 "$name.diff")"
  echo "ok: $name: $(wc -l <"$name.library") stacks named as the library names them"
done
grep -q 'shop::Basket::add(char const\*)' basket.leakprof || fail "no demangled C++ name: $(head -3 basket.leakprof)"
