#!/bin/bash
# The check runs after the program's atexit handlers and C++ static destructors: a static
# destructor that frees 100 blocks leaves none of them reported or reachable; one that drops
# its only pointer to a block and an atexit handler that drops another make those blocks
# definitely lost — which a check run before them would have called reachable. A leaked
# new[] is reported with its stack. The numbers equal memcheck's.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib
command -v g++ >/dev/null 2>&1 || skip "g++ not installed"

cat >statics.cc <<'CXX'
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#define SITE __attribute__((noinline, noclone, used))
struct Holder {
    std::vector<char *> blocks;
    char *volatile dropped = nullptr;
    ~Holder()
    {
        for (char *b : blocks)
            delete[] b;
        dropped = nullptr; // 777 bytes: lost only from now on
    }
};
static Holder holder;
static std::string long_name(200, 'x'); // freed by its static destructor
static char *volatile at_exit_block;
static void drop_at_exit() { at_exit_block = nullptr; } // 555 bytes: lost from now on

SITE void fill() { for (int i = 0; i < 100; i++) holder.blocks.push_back(new char[1000]); }
SITE void keep_dropped() { holder.dropped = new char[777]; }
SITE void keep_at_exit() { at_exit_block = static_cast<char *>(malloc(555)); }
SITE void leak_array() { int *volatile p = new int[10]; p[0] = 1; p = nullptr; }
SITE void scrub() { char area[65536]; explicit_bzero(area, sizeof area); __asm__ volatile("" ::"r"(area) : "memory"); }

int main()
{
    fill();
    keep_dropped();
    keep_at_exit();
    atexit(drop_at_exit);
    leak_array();
    scrub();
    return 0;
}
CXX
# (until stacks start at the call of new — the C++ issue — operator new may be frame #0: -A2)
g++ -O1 -g -fno-omit-frame-pointer -o statics statics.cc || fail "cannot build statics.cc"
gate_run statics -- ./statics
cat statics.err >&2
assert_eq 23 "$gate_rc" "statics: exit status"
# 777 + 555 + 40 bytes in 3 blocks
assert_summary statics.err "1372 3" "0 0" "0 0" "statics"
reachable=$(summary_of statics.err "still reachable")
[ "${reachable% *}" -lt 100000 ] || fail "statics: the 100 blocks the static destructor freed are still counted: $reachable"
grep -A2 '777 bytes in 1 blocks are definitely lost' statics.err | grep -q 'keep_dropped' || fail "statics: the 777-byte record is not keep_dropped's"
grep -A2 '555 bytes in 1 blocks are definitely lost' statics.err | grep -q 'keep_at_exit' || fail "statics: the 555-byte record is not keep_at_exit's"
grep -A3 '40 bytes in 1 blocks are definitely lost' statics.err | grep -q 'leak_array' || fail "statics: the new[] record does not name leak_array"

if command -v valgrind >/dev/null 2>&1; then
  valgrind_summary statics ./statics
  for class in "definitely lost" "indirectly lost" "possibly lost"; do
    assert_eq "$(summary_of statics.vg "$class")" "$(summary_of statics.err "$class")" "statics: $class, memcheck vs libleak"
  done
  echo "ok: statics agrees with memcheck"
fi
echo "ok: the check runs after static destructors and atexit handlers"
