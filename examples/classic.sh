#!/bin/bash
# examples/classic.sh — the classic leaks, each found with the tools (make example-NAME).
#
#   examples/classic.sh thread_leak      threads blocked forever, each holding a buffer
#   examples/classic.sh bloat            the same records in a node-per-record hash table
#                                        and in a flat array: what each costs
#   examples/classic.sh fragmentation    resident memory grows, the heap in use does not
#
# Runs the example under build/libleak.so, writes its profiles into build/examples-out/NAME/
# and shows the leakprof commands that find the story, with what to look for.
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
lib=${CLASSIC_LIBLEAK:-$root/build/libleak.so}
leakprof=$root/build/leakprof
name=${1:-}
case $name in thread_leak | bloat | fragmentation) ;; *)
  echo "usage: examples/classic.sh thread_leak|bloat|fragmentation" >&2; exit 2 ;;
esac
program=$root/build/examples/$name
for f in "$lib" "$leakprof" "$program"; do
  [ -e "$f" ] || { echo "classic: ${f#"$root"/} is missing: run 'make all examples'" >&2; exit 1; }
done
out=$root/build/examples-out/$name
rm -rf "$out"; mkdir -p "$out"; cd "$out"
for var in $(compgen -e); do case $var in LIBLEAK_*) unset "$var" ;; esac; done
# run COMMAND...: prints it as typed from the top of the repository, then runs it.
run() { local line="$*"; printf '\n$ %s\n' "${line//$root\//}" >&2; "$@"; }
# look LINE...: what to look for, one arrow per finding.
look() { printf '\n-> %s\n' "$1"; shift; [ $# -eq 0 ] || printf '   %s\n' "$@"; }
show=build/examples-out/$name

case $name in
thread_leak)
  echo "thread_leak: 200 requests, each starting a thread that waits forever on a pipe"
  echo "nobody writes, holding a 64 KiB buffer. Exact mode (LIBLEAK_RATE=1): every byte counted."
  LIBLEAK_RATE=1 LIBLEAK_OUT="$out/thread_leak.%n.heap.pb.gz" LD_PRELOAD="$lib" "$program" -n 200 -r 1000
  profile=$(ls "$out"/thread_leak.*.heap.pb.gz | tail -n 1)
  run "$leakprof" top -n 5 "$profile" | sed -n '/^Showing/,$p'
  look "connection_main holds 12.50MB (200 x 64 KiB): the buffers of the blocked threads."
  run "$leakprof" traces --focus connection_main "$profile" | sed -n '/^-----/,$p' | head -n 8
  look "the stack ends in start_thread: connection_main is a thread's entry function. Each" \
    "of those threads is still alive at exit, blocked (examples/thread_leak.c: receive())."
  ;;
bloat)
  echo "bloat: 100 000 records of 16 bytes, in a hash table of 32-byte nodes and in a flat"
  echo "array grown by doubling. Exact mode (LIBLEAK_RATE=1)."
  LIBLEAK_RATE=1 LIBLEAK_OUT="$out/bloat.heap.pb.gz" LD_PRELOAD="$lib" "$program"
  for type in inuse_space inuse_objects alloc_space; do
    run "$leakprof" top -n 3 --nodefraction 0 -i $type "$out/bloat.heap.pb.gz" | sed -n '/flat%/,$p'
  done
  look "inuse_space: the node table holds 3.05MB + 1MB of buckets, the array 2MB, for the same data."
  look "inuse_objects: 100000 blocks against 1: each one an allocator header and a cache miss."
  look "alloc_space: the array allocated 4MB to hold 2MB: doubling with realloc copies it."
  ;;
fragmentation)
  echo "fragmentation: 8 phases, two more worker threads each; every worker builds a 3 MiB"
  echo "working set and frees it out of order, keeping a 64-byte session at its arena's top."
  LIBLEAK_OUT="$out/fragmentation.%n.heap.pb.gz" LD_PRELOAD="$lib" "$program"
  run "$leakprof" growth "$out"/fragmentation.000[1-8].heap.pb.gz | sed "s|$out/||g"
  look "resident memory grew by tens of MB while the in-use estimate stayed flat: no stack" \
    "explains it because no live block holds it. glibc keeps the freed working sets in" \
    "per-thread arenas ('free memory held in glibc's arenas'). Not a leak: try" \
    "MALLOC_ARENA_MAX=1, or fewer threads."
  run "$leakprof" info "$out"/fragmentation.0008.heap.pb.gz | grep -E "^(Resident|Malloc'd|Total inuse_space)"
  ;;
esac
echo
echo "Profiles in $show/."
