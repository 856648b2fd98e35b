#!/bin/bash
# tests/tools/outputs_snapshot.sh BUILD_DIR OUT_DIR [READER]
#
# What a restructuring must not change, written as text to compare before and after: the leak
# gate's report (stdout, stderr, exit status) on every program of the leak corpus, and the
# profiles of the examples in exact mode, each read back by leakprof's top (every sample
# index), traces and folded. Addresses and pids are masked; everything else must match.
#
#   tests/tools/outputs_snapshot.sh /old/checkout/build /tmp/before
#   tests/tools/outputs_snapshot.sh build /tmp/after /old/checkout/build/leakprof
#   diff -r /tmp/before /tmp/after
#
# READER (default BUILD_DIR/leakprof) reads every profile: one reader for both runs isolates the
# library's changes; run it again with each side's own reader to compare the readers.
set -u
build=$(cd "$1" && pwd) out=$2 reader=${3:-$1/leakprof}
reader=$(cd "$(dirname "$reader")" && pwd)/$(basename "$reader")
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for var in $(compgen -e); do case $var in LIBLEAK_*) unset "$var" ;; esac; done

mask() { sed -E 's/^(resident memory|allocator \(glibc mallinfo2\)|Duration|Time|internal memory|unwinding \([a-z]+\)): .*/\1: (varies)/; s/^(Build ID): .*/\1: (per build)/; s/0x[0-9a-f]+/0xADDR/g; s/(age: +)[0-9a-z]+$/\1AGE/; s/\.[0-9]+\.(leaks|heap)/.PID.\1/g; s/\[[0-9]+\]/[PID]/g; s#/tmp/tmp\.[A-Za-z0-9]+#WORK#g; s/(child_pid) [0-9]+/\1 PID/'; }

sort_traces() {
  python3 -c 'import sys; blocks = sys.stdin.read().split("-----------+"); print("-----------+".join(blocks[:1] + sorted(blocks[1:])), end="")'
}

read_profile() { # name file
  local name=$1 file=$2 index
  for index in inuse_space inuse_objects alloc_space alloc_objects; do
    "$reader" top -i "$index" "$file" 2>&1 | mask >"$out/$name.top.$index"
  done
  # samples come in the order of the stack table, which follows addresses (ASLR): sort them
  "$reader" traces "$file" 2>&1 | mask | sort_traces >"$out/$name.traces"
  "$reader" folded "$file" 2>&1 | mask >"$out/$name.folded"
}

for program in "$build"/tests/leaks/*; do
  [ -x "$program" ] || continue
  name=gate.$(basename "$program")
  rm -rf "$work/run" && mkdir "$work/run"
  (cd "$work/run" && timeout 60 env LD_PRELOAD="$build/libleak.so" LIBLEAK_CHECK=1 \
     LIBLEAK_OUT="$work/run/%n.pb.gz" "$program" >stdout 2>stderr; echo "exit $?" >status)
  for part in stdout stderr status; do mask <"$work/run/$part" >"$out/$name.$part"; done
  [ -f "$work/run/leaks.pb.gz" ] && read_profile "$name" "$work/run/leaks.pb.gz"
done

examples=(
  "bloat -n 20000"
  "growing_cache -n 20000 -r 100000"
  "leaky_server -n 500 -r 100000"
  "thread_leak -n 50 -r 100000"
)
for example in "${examples[@]}"; do
  read -r -a words <<<"$example"
  name=example.${words[0]}
  rm -rf "$work/run" && mkdir "$work/run"
  (cd "$work/run" && timeout 60 env LD_PRELOAD="$build/libleak.so" LIBLEAK_RATE=1 \
     LIBLEAK_OUT="$work/run/%n.pb.gz" "$build/examples/${words[0]}" "${words[@]:1}" >stdout 2>stderr; echo "exit $?" >status)
  for part in stderr status; do mask <"$work/run/$part" >"$out/$name.$part"; done
  for file in "$work"/run/*.pb.gz; do
    [ -f "$file" ] && read_profile "$name.$(basename "$file" .pb.gz)" "$file"
  done
done
echo "outputs_snapshot: $(ls "$out" | wc -l) files in $out"
