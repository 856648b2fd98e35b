#!/bin/bash
# Inlined frames: a program built with -O2 whose allocating helper (make_block) is inlined
# into its caller (fill_blocks). The profile's location carries both functions, innermost
# first, so pprof charges the exact numbers (LIBLEAK_RATE=1) to each; -list shows the line
# inside the helper. The program is built here with gcc.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_go
command -v gcc >/dev/null 2>&1 || skip "gcc not installed"

cat >inlined.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCKS = 500, SIZE = 96 };
static void *blocks[BLOCKS];

static inline __attribute__((always_inline)) void *make_block(size_t size) {
  void *p = malloc(size);                     /* the allocating line */
  if (!p) abort();
  memset(p, 5, size);
  return p;
}

__attribute__((noinline)) void fill_blocks(void) {
  for (int i = 0; i < BLOCKS; i++) blocks[i] = make_block(SIZE);
}

int main(void) {
  fill_blocks();
  printf("truth make_block %d %d %d %d\n", BLOCKS, BLOCKS * SIZE, BLOCKS, BLOCKS * SIZE);
  printf("truth fill_blocks %d %d %d %d\n", BLOCKS, BLOCKS * SIZE, BLOCKS, BLOCKS * SIZE);
  return 0;
}
C
gcc -std=gnu11 -O2 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -o inlined inlined.c || fail "cannot build inlined.c"
nm inlined | grep -q ' make_block$' && skip "gcc did not inline make_block"

timeout 30 env LIBLEAK_RATE=1 LIBLEAK_OUT=inlined.pb.gz LD_PRELOAD="$LIBLEAK_SO" ./inlined >out.txt 2>err.txt
rc=$?
cat err.txt >&2
assert_eq 0 "$rc" "exit status"
pprof_raw inlined.pb.gz inlined.raw
check_expectations inlined.raw out.txt truth
# make_block's line and, right under it in the same location, fill_blocks (innermost first).
awk '/^Locations/ { s = 1; next } /^Mappings/ { s = 0 }
     s && / make_block / { getline next_line; if (next_line ~ /^             fill_blocks /) found = 1 }
     END { exit !found }' inlined.raw \
  || fail "no location with make_block inlined into fill_blocks: $(sed -n '/^Locations/,/^Mappings/p' inlined.raw | grep -A1 make_block)"
gopprof -list '^make_block$' -symbolize=none inlined.pb.gz >list.txt 2>&1 || fail "pprof -list make_block: $(cat list.txt)"
grep -q 'malloc(size); */\* the allocating line' list.txt || fail "-list make_block does not show the allocating line: $(cat list.txt)"
echo "ok: inlined make_block and its caller both charged exactly; -list shows the line"
