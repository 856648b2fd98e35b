#!/bin/bash
# C++ new/delete (scalar, array, aligned, sized delete, std::vector, std::string), some deletes
# on another std::thread, under exact mode: the profile's live and allocated numbers per
# function equal the program's, to the byte, with glibc, jemalloc and tcmalloc underneath.
# The program is built here with g++.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_go
command -v g++ >/dev/null 2>&1 || skip "g++ not installed"

cat >cxx_sites.cc <<'CXX'
#include <cstdio>
#include <new>
#include <string>
#include <thread>
#include <vector>

#define SITE __attribute__((noinline, noclone, used))
struct Obj { long a[6]; };                       // 48 bytes, trivially destructible: no cookie
struct alignas(64) Aligned { char bytes[64]; };  // operator new(size_t, align_val_t)
static_assert(sizeof(Obj) == 48, "Obj is 48 bytes");

enum { OBJECTS = 1000, ARRAYS = 10, ARRAY_SIZE = 1000, ALIGNED = 20, TRANSIENT = 5000 };
static Obj *objects[OBJECTS];
static char *arrays[ARRAYS];
static Aligned *aligned_blocks[ALIGNED];
static std::vector<int> *vector_holder;
static std::string *string_holder;
Obj *volatile sink;

SITE void keep_objects() { for (auto &o : objects) { o = new Obj(); o->a[0] = 1; } }
SITE void keep_arrays() { for (auto &a : arrays) { a = new char[ARRAY_SIZE]; a[0] = 1; } }
SITE void keep_aligned() { for (auto &a : aligned_blocks) { a = new Aligned(); a->bytes[0] = 1; } }
SITE void transient_objects() { for (int i = 0; i < TRANSIENT; i++) { sink = new Obj(); delete sink; } }
SITE void keep_vector() { vector_holder = new std::vector<int>(); vector_holder->reserve(1000); }
SITE void keep_string() { string_holder = new std::string(100, 'x'); }
SITE void delete_half() { for (int i = 0; i < OBJECTS; i += 2) { delete objects[i]; objects[i] = nullptr; } }

int main() {
  keep_objects(); keep_arrays(); keep_aligned(); transient_objects(); keep_vector(); keep_string();
  std::thread other(delete_half);                   // frees from a thread that did not allocate
  other.join();
  std::printf("truth keep_objects %d %d %d %d\n", OBJECTS / 2, OBJECTS / 2 * 48, OBJECTS, OBJECTS * 48);
  std::printf("truth keep_arrays %d %d %d %d\n", ARRAYS, ARRAYS * ARRAY_SIZE, ARRAYS, ARRAYS * ARRAY_SIZE);
  std::printf("truth keep_aligned %d %d %d %d\n", ALIGNED, ALIGNED * 64, ALIGNED, ALIGNED * 64);
  std::printf("truth transient_objects 0 0 %d %d\n", TRANSIENT, TRANSIENT * 48);
  static_assert(sizeof(std::vector<int>) == 24, "a vector is three pointers");
  std::printf("truth keep_vector 2 4024 2 4024\n");     // the vector (24 B) and its 1000 ints
  static_assert(sizeof(std::string) == 32, "libstdc++'s string");
  std::printf("truth keep_string 2 133 2 133\n");       // the string (32 B) and its 100 chars + NUL
  return 0;   // the exit profile is written after this
}
CXX
g++ -std=c++17 -O1 -g -fno-omit-frame-pointer -fno-inline -Wall -Wextra -Werror -pthread -o cxx_sites cxx_sites.cc \
  || fail "g++ could not build the C++ test program"
./cxx_sites >expected.txt || fail "cxx_sites fails without the library"

# leaf_functions RAW: the function name of every sample's first (leaf) location.
leaf_functions() {
  awk '
    /^Samples:/   { section = "samples"; header = 1; next }
    /^Locations/  { section = "locations"; next }
    /^Mappings/   { section = "mappings"; next }
    section == "samples" && header { header = 0; next }
    section == "samples" {
      colon = index($0, ":"); if (!colon) next
      left = substr($0, 1, colon - 1); if (left !~ /^[ 0-9-]+$/) next
      split(substr($0, colon + 1), ids, " "); leaves[++n] = ids[1]; next
    }
    section == "locations" && match($0, /^ *[0-9]+: 0x[0-9a-f]+ /) {
      id = $0; sub(/:.*/, "", id); gsub(/ /, "", id)
      line = $0; sub(/^ *[0-9]+: 0x[0-9a-f]+ (M=[0-9]+ )?(\[F\] )?/, "", line)
      if (!(id in name)) name[id] = line
    }
    END { for (i = 1; i <= n; i++) print name[leaves[i]] }' "$1"
}

# The same program under libleak alone (glibc underneath), and stacked on jemalloc and
# tcmalloc, whose own operator new never calls malloc: every number must still be exact, and
# no sample's leaf frame is an operator new (the program's call of new is the flat frame).
run_cxx() {  # run_cxx NAME PRELOAD_AFTER
  local name=$1 after=$2
  mkdir -p "$name"
  (cd "$name" && timeout 60 env LIBLEAK_RATE=1 LIBLEAK_OUT='cxx.%n.pb.gz' LD_PRELOAD="$LIBLEAK_SO $after" \
     ../cxx_sites >out.txt 2>err.txt)
  local rc=$?
  cat "$name/err.txt" >&2
  assert_eq 0 "$rc" "$name: cxx_sites exit status under LIBLEAK_RATE=1"
  assert_eq "$(cat expected.txt)" "$(cat "$name/out.txt")" "$name: stdout"
  local files=("$name"/cxx.*.pb.gz)
  [ -e "${files[0]}" ] || fail "$name: no exit profile: $(ls "$name")"
  pprof_raw "${files[0]}" "$name/cxx.raw"
  check_expectations "$name/cxx.raw" "$name/out.txt" truth
  leaf_functions "$name/cxx.raw" >"$name/leaves.txt"
  if grep -E 'operator new|^_Zn[wa]' "$name/leaves.txt" >&2; then
    fail "$name: operator new is the leaf frame of some samples (above)"
  fi
  echo "ok: $name: exact, and no operator new leaf ($(wc -l <"$name/leaves.txt") samples)"
}

run_cxx glibc ""
for allocator in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4; do
  [ -e "$allocator" ] || fail "$allocator missing (tools/deps.sh test installs it)"
  run_cxx "$(basename "$allocator")" "$allocator"
done
