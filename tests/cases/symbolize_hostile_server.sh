#!/bin/bash
# leakprof against a hostile debuginfod: a small python3 server on 127.0.0.1 answers every
# /buildid/*/debuginfo with a truncated file, the debug file of another build, a file that is
# not ELF, an answer slower than DEBUGINFOD_TIMEOUT, or one larger than DEBUGINFOD_MAXSIZE.
# Each must end in time with the frames unnamed and one clear line saying why: never a
# crash, a hang or a wrong name.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog symbolize/app symbolize/app_other
for tool in objcopy python3; do
  command -v $tool >/dev/null || fail "$tool not installed (binutils, python3: tools/deps.sh test)"
done
[ -e /usr/lib/x86_64-linux-gnu/libdebuginfod.so.1 ] || ldconfig -p | grep -q libdebuginfod.so.1 \
  || skip "libdebuginfod1 is not installed: leakprof cannot ask any server"

mkdir bin
cp "$TESTBIN/symbolize/app" "$TESTBIN/symbolize/libsymbolize.so" bin/
( cd bin && timeout 30 env LIBLEAK_SYMBOLIZE=0 LIBLEAK_RATE=1 LIBLEAK_OUT="$TEST_TMP/p.pb.gz" \
    LD_PRELOAD="$LIBLEAK_SO" ./app >/dev/null ) || fail "the program failed under the library"
rm -rf bin  # nothing in place: every name must come from the server
objcopy --only-keep-debug "$TESTBIN/symbolize/app" good.debug
objcopy --only-keep-debug "$TESTBIN/symbolize/app_other" other.debug
head -c $(( $(stat -c %s good.debug) / 2 )) good.debug >truncated.debug
echo "<html>not found, but 200</html>" >page.html

cat >server.py <<'PY'
import http.server, os, sys, time
here = os.path.dirname(os.path.abspath(__file__))
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def do_GET(self):
        mode = open(os.path.join(here, "mode")).read().strip()
        if not self.path.endswith("/debuginfo"):
            self.send_error(404); return
        try:
            if mode == "slow":
                time.sleep(30)
            if mode == "huge":
                self.send_response(200)
                self.send_header("Content-Length", str(1 << 30))
                self.end_headers()
                chunk = b"\0" * (1 << 16)
                for _ in range(1 << 14):
                    self.wfile.write(chunk)
                return
            body = open(os.path.join(here, {"truncated": "truncated.debug", "wrong": "other.debug",
                                            "html": "page.html"}[mode]), "rb").read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
echo truncated >mode
python3 server.py >port 2>server.log &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 1 50); do [ -s port ] && break; sleep 0.1; done
[ -s port ] || fail "the test server did not start: $(cat server.log)"
export DEBUGINFOD_URLS="http://127.0.0.1:$(cat port)" DEBUGINFOD_TIMEOUT=2 DEBUGINFOD_MAXSIZE=1000000

# case MODE EXPECTED: leakprof top through the server answering MODE.
case_() {
  local mode=$1 expected=$2 status=0 start end
  echo "$mode" >mode
  start=$(date +%s)
  DEBUGINFOD_CACHE_PATH="$TEST_TMP/cache-$mode" timeout 60 "$LEAKPROF" top -n 100 p.pb.gz \
    >"$mode.out" 2>"$mode.err" || status=$?
  end=$(date +%s)
  [ $status = 124 ] && fail "$mode: leakprof hung (killed after 60 s)"
  assert_eq 0 "$status" "$mode: exit status ($(cat "$mode.err"))"
  [ $(( end - start )) -le 20 ] || fail "$mode: took $(( end - start )) s"
  grep -q 'symbolize_\|wrong_build' "$mode.out" && fail "$mode: named something: $(grep 'symbolize_\|wrong_build' "$mode.out")"
  assert_eq 1 "$(grep -c . "$mode.err")" "$mode: one line on stderr ($(cat "$mode.err"))"
  assert_contains "$(cat "$mode.err")" "$expected" "$mode: the message"
  echo "ok: $mode, $(( end - start )) s: $(grep -o "[^(;]*debuginfod: [^;)]*" "$mode.err" | head -1)"
}
case_ truncated "debuginfod: the server's file: a damaged ELF file (truncated?)"
case_ wrong "debuginfod: the server's file: build ID mismatch"
case_ html "debuginfod: the server's file: not an ELF file"
case_ slow "debuginfod: timed out"
case_ huge "debuginfod: larger than DEBUGINFOD_MAXSIZE"
