#!/bin/bash
# The exiting thread's dead stack is not a root. Below the frame that called exit() lie the
# frames of everything that ran before (libleak's own sampling frames among them) and then the
# exit machinery: stale words there point at blocks whose only real pointer died, which
# memcheck (it scans only defined memory above the stack pointer) calls lost. The gate must
# agree: a block held only by a local of main is lost once main has returned, and reachable
# when exit() is called while that local is live.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
. "$LIBLEAK_ROOT/tests/cases/gate_common.inc"
require_lib
command -v valgrind >/dev/null 2>&1 || skip "valgrind not installed"

cat >dead.c <<'C'
#include <stdlib.h>
#include <string.h>
struct node { struct node *next; char pad[24]; };
void *kept;
__attribute__((noinline)) void finish(int how) { if (how) exit(0); }
int main(int argc, char **argv) {
  struct node *head = 0;
  for (int i = 0; i < 10; i++) { struct node *n = malloc(sizeof *n); n->next = head; head = n; }
  kept = malloc(100);
  char *text = strdup("only main's local points here");
  finish(argc > 1);               /* "exit": exit() while head and text are live locals */
  (void)text;
  return 0;                       /* otherwise they die with main */
}
C
cc -O0 -g -fno-omit-frame-pointer -o dead dead.c || fail "cc failed"

for mode in return exit; do
  args=(); [ $mode = exit ] && args=(x)
  gate_run "$mode" -- ./dead "${args[@]}"
  valgrind_summary "$mode" ./dead "${args[@]}"
  for class in "definitely lost" "indirectly lost" "possibly lost" "still reachable"; do
    assert_eq "$(summary_of "$mode.vg" "$class")" "$(summary_of "$mode.err" "$class")" "$mode: $class, gate vs memcheck"
  done
  echo "ok: $mode: $(summary_of "$mode.err" "definitely lost") definitely lost, as memcheck"
done
assert_eq "62 2" "$(summary_of return.err "definitely lost")" "return: the list head and the string are lost"
assert_eq 23 "$(gate_run return2 -- ./dead; echo $gate_rc)" "return: exit status"
